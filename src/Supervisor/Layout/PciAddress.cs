using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Layout;

/// <summary>One guest PCI address (domain 0): bus (a PCI controller's index), slot, function, and the multifunction switch.</summary>
internal readonly record struct PciAddress(int Bus, int Slot, int Function, bool? Multifunction = null)
{
    public const int Slots = 32;

    /// <summary>The written address of a device, or null when it has none or one of another type.</summary>
    public static PciAddress? From(DeviceAddress? address, string what)
    {
        if (address is not { Type: "pci" })
            return null;
        var domain = Number(address["domain"], "domain", what);
        if (domain != 0)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: PCI domain {domain}; only domain 0 is supported");
        var parsed = new PciAddress(Number(address["bus"], "bus", what), Number(address["slot"], "slot", what),
            Number(address["function"], "function", what), address["multifunction"] switch
            {
                null => null,
                "on" => true,
                "off" => false,
                var other => throw new VirtException(ErrorCode.XmlError, $"{what}: multifunction='{other}' must be on or off"),
            });
        if (parsed.Bus is < 0 or > 255 || parsed.Slot is < 0 or >= Slots || parsed.Function is < 0 or > 7)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: PCI address bus {parsed.Bus} slot {parsed.Slot} function {parsed.Function} is out of range");
        return parsed;
    }

    /// <summary>As libvirt writes it back into the definition.</summary>
    public DeviceAddress ToDeviceAddress()
    {
        List<KeyValuePair<string, string>> attributes =
        [
            new("domain", "0x0000"),
            new("bus", string.Create(CultureInfo.InvariantCulture, $"0x{Bus:x2}")),
            new("slot", string.Create(CultureInfo.InvariantCulture, $"0x{Slot:x2}")),
            new("function", string.Create(CultureInfo.InvariantCulture, $"0x{Function:x}")),
        ];
        if (Multifunction is { } multi)
            attributes.Add(new("multifunction", multi ? "on" : "off"));
        return new DeviceAddress { Type = "pci", Attributes = attributes };
    }

    /// <summary>QEMU's addr= property: SLOT, or SLOT.FUNCTION.</summary>
    public string QemuAddr => Function == 0 ? $"0x{Slot:x}" : $"0x{Slot:x}.0x{Function:x}";

    private static int Number(string? text, string name, string what)
    {
        if (text is null)
            return 0;
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (int.TryParse(hex ? text[2..] : text, hex ? NumberStyles.HexNumber : NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            return value;
        throw new VirtException(ErrorCode.XmlError, $"{what}: <address type='pci'> attribute {name}='{text}' is not a number");
    }
}
