using System.Globalization;
using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.CommandLine;

/// <summary>
/// Places PCI devices on the root bus as libvirt would: addresses written in the definition are
/// honoured and reserved first, the rest take the lowest free slot, so QEMU's own
/// placement never collides with a written address.
/// </summary>
internal sealed class PciSlotAllocator
{
    private const int SlotCount = 32;
    private readonly MachineFamily _family;
    private readonly HashSet<(int Slot, int Function)> _taken = [];
    private readonly HashSet<int> _slotsInUse = [];

    public PciSlotAllocator(MachineFamily family, IEnumerable<DeviceAddress?> writtenAddresses)
    {
        _family = family;
        // Slot 0 is the host bridge; on pc slot 1 is PIIX3 (ISA, IDE, USB, ACPI), on q35 slot 0x1f is ICH9.
        _slotsInUse.Add(0);
        _slotsInUse.Add(family == MachineFamily.Q35 ? 0x1f : 1);
        foreach (var address in writtenAddresses)
        {
            if (TryParse(address) is { } written)
                _slotsInUse.Add(written.Slot);
        }
    }

    /// <summary>Adds "bus" and "addr" to a device: its written address, else <paramref name="preferredSlot"/> when free, else the lowest free slot.</summary>
    public void Place(JsonObject device, DeviceAddress? written, string what, int? preferredSlot = null)
    {
        var parsed = TryParse(written, what);
        if (parsed is { } w && IsBuiltIn(w.Slot, w.Function))
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"{what}: PCI address {FormatAddress(w.Slot, w.Function)} belongs to a device built into the machine");
        var (slot, function) = parsed ?? (Allocate(preferredSlot, what), 0);
        if (!_taken.Add((slot, function)))
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"{what}: PCI address {FormatAddress(slot, function)} is already used by another device");
        _slotsInUse.Add(slot);
        device["bus"] = _family.PciRootBus();
        device["addr"] = FormatAddress(slot, function);
    }

    /// <summary>A free slot, taken whole for devices that share it as functions (a USB2 set): <paramref name="preferred"/> when free.</summary>
    public int ReserveSlot(int? preferred, string what)
    {
        var slot = Allocate(preferred, what);
        _slotsInUse.Add(slot);
        return slot;
    }

    /// <summary>One function of a slot taken with <see cref="ReserveSlot"/> or written for another function of it.</summary>
    public void PlaceInSlot(JsonObject device, int slot, int function, bool multifunction)
    {
        if (!_taken.Add((slot, function)))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"PCI address {FormatAddress(slot, function)} is already used by another device");
        _slotsInUse.Add(slot);
        device["bus"] = _family.PciRootBus();
        if (multifunction)
            device["multifunction"] = true;
        device["addr"] = FormatAddress(slot, function);
    }

    /// <summary>The slot of a written PCI address.</summary>
    public static int SlotOf(DeviceAddress address, string what) =>
        TryParse(address, what)?.Slot ?? throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: the address is not a PCI address");

    /// <summary>A fixed built-in address (the pc USB controller at 01.2) that still must not be handed out twice.</summary>
    public void PlaceFixed(JsonObject device, int slot, int function)
    {
        _taken.Add((slot, function));
        device["bus"] = _family.PciRootBus();
        device["addr"] = FormatAddress(slot, function);
    }

    // The pc south bridge's USB function (01.2) is the one built-in address a written device may take.
    private bool IsBuiltIn(int slot, int function) =>
        slot == 0 || (_family == MachineFamily.Q35 ? slot == 0x1f : slot == 1 && function != 2);

    private int Allocate(int? preferredSlot, string what)
    {
        if (preferredSlot is { } preferred && !_slotsInUse.Contains(preferred))
            return preferred;
        for (var slot = 1; slot < SlotCount; slot++)
        {
            if (!_slotsInUse.Contains(slot))
                return slot;
        }
        throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: no free PCI slot left on the root bus");
    }

    private static string FormatAddress(int slot, int function) =>
        function == 0 ? $"0x{slot:x}" : $"0x{slot:x}.0x{function:x}";

    private static (int Slot, int Function)? TryParse(DeviceAddress? address, string what = "device")
    {
        if (address is null || address.Type != "pci")
            return null;
        var domain = Number(address["domain"], "domain", what);
        var bus = Number(address["bus"], "bus", what);
        if (domain != 0 || bus != 0)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"{what}: <address type='pci'> on domain {domain} bus {bus}; only the root bus (domain 0, bus 0) is supported");
        var slot = Number(address["slot"], "slot", what);
        var function = Number(address["function"], "function", what);
        if (slot is < 0 or >= SlotCount || function is < 0 or > 7)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: PCI slot {slot} function {function} is out of range");
        return (slot, function);
    }

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
