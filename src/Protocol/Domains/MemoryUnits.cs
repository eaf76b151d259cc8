namespace Virt.Protocol.Domains;

/// <summary>libvirt's memory size units: bytes, powers of 1000 (KB, MB...) and powers of 1024 (k, KiB, M, MiB...).</summary>
public static class MemoryUnits
{
    /// <summary>The accepted spellings, for error messages (matched case-insensitively, as libvirt does).</summary>
    public const string Allowed = "b, bytes, KB, k, KiB, MB, M, MiB, GB, G, GiB, TB, T, TiB, PB, P, PiB, EB, E, EiB";

    /// <summary>Bytes per unit, or null for an unknown unit. A missing unit means KiB.</summary>
    public static ulong? BytesPerUnit(string? unit)
    {
        if (string.IsNullOrEmpty(unit))
            return 1024;
        if (unit.Equals("b", StringComparison.OrdinalIgnoreCase) || unit.Equals("byte", StringComparison.OrdinalIgnoreCase)
            || unit.Equals("bytes", StringComparison.OrdinalIgnoreCase))
            return 1;
        ulong @base;
        if (unit.Length == 1 || unit[1..].Equals("iB", StringComparison.OrdinalIgnoreCase))
            @base = 1024;
        else if (unit.Length == 2 && char.ToLowerInvariant(unit[1]) == 'b')
            @base = 1000;
        else
            return null;
        var power = char.ToLowerInvariant(unit[0]) switch
        {
            'k' => 1,
            'm' => 2,
            'g' => 3,
            't' => 4,
            'p' => 5,
            'e' => 6,
            _ => 0,
        };
        if (power == 0)
            return null;
        ulong scale = 1;
        for (var i = 0; i < power; i++)
            scale *= @base;
        return scale;
    }

    /// <summary>
    /// Converts a value in a unit to KiB, rounding up a partial KiB as libvirt does; null when
    /// the unit is unknown or the size exceeds libvirt's limit (the largest signed 64-bit byte count).
    /// </summary>
    public static ulong? ToKiB(ulong value, string? unit)
    {
        if (BytesPerUnit(unit) is not ulong scale)
            return null;
        if (value != 0 && value > long.MaxValue / scale)
            return null;
        var bytes = value * scale;
        return bytes / 1024 + (bytes % 1024 == 0 ? 0UL : 1UL);
    }
}
