using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Layout;

namespace Virt.Supervisor.CommandLine;

/// <summary>
/// Puts each PCI device at the address the layout (<see cref="PciLayout"/>) gave it or the definition wrote: bus 0 is
/// the root (pci.0 on pc, pcie.0 on q35), bus N the PCI controller with index N (id pci.N). An address used twice or
/// one that belongs to the chipset is refused. A device the layout did not cover takes the lowest free root slot.
/// </summary>
internal sealed class PciSlotAllocator
{
    private readonly MachineFamily _family;
    private readonly HashSet<(int Bus, int Slot, int Function)> _taken = [];
    private readonly HashSet<int> _rootSlotsInUse = [];

    public PciSlotAllocator(MachineFamily family, IEnumerable<DeviceAddress?> writtenAddresses)
    {
        _family = family;
        // Slot 0 is the host bridge; on pc slot 1 is PIIX3 (ISA, IDE, USB, ACPI), on q35 slot 0x1f is ICH9.
        _rootSlotsInUse.Add(0);
        _rootSlotsInUse.Add(family == MachineFamily.Q35 ? 0x1f : 1);
        foreach (var address in writtenAddresses)
        {
            if (PciAddress.From(address, "device") is { Bus: 0 } written)
                _rootSlotsInUse.Add(written.Slot);
        }
    }

    /// <summary>Adds "bus", "addr" and a written multifunction to a device.</summary>
    public void Place(JsonObject device, DeviceAddress? written, string what)
    {
        var address = PciAddress.From(written, what) ?? new PciAddress(0, Allocate(what), 0);
        if (address.Bus == 0 && IsBuiltIn(address.Slot, address.Function))
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"{what}: PCI address {address.QemuAddr} belongs to a device built into the machine");
        if (!_taken.Add((address.Bus, address.Slot, address.Function)))
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"{what}: PCI address {PciAddressSet.Describe(address)} is already used by another device");
        if (address.Bus == 0)
            _rootSlotsInUse.Add(address.Slot);
        device["bus"] = BusName(address.Bus);
        if (address.Multifunction is { } multi)
            device["multifunction"] = multi;
        device["addr"] = address.QemuAddr;
    }

    public string BusName(int bus) => bus == 0 ? _family.PciRootBus() : $"pci.{bus}";

    // The pc south bridge's USB function (01.2) is the one built-in address a written device may take.
    private bool IsBuiltIn(int slot, int function) =>
        slot == 0 || (_family == MachineFamily.Q35 ? slot == 0x1f && function != 2 : slot == 1 && function != 2);

    private int Allocate(string what)
    {
        for (var slot = 1; slot < PciAddress.Slots; slot++)
        {
            if (!_rootSlotsInUse.Contains(slot))
                return slot;
        }
        throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: no free PCI slot left on the root bus");
    }
}
