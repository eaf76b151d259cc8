using System.Globalization;

namespace Virt.Protocol.Domains;

/// <summary>MAC addresses as libvirt reads them: six ':'-separated hex bytes of one or two digits, written back in lowercase pairs.</summary>
public static class MacAddress
{
    /// <summary>The address as aa:bb:cc:dd:ee:ff, or null if the text is not a MAC address.</summary>
    public static string? Normalize(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 6)
            return null;
        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length is < 1 or > 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
                return null;
        }
        return string.Join(':', bytes.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
    }

    /// <summary>A multicast address (low bit of the first byte set) cannot be a NIC's own address.</summary>
    public static bool IsMulticast(string normalized) =>
        (byte.Parse(normalized.AsSpan(0, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture) & 1) == 1;
}
