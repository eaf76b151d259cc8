using Virt.Protocol.Errors;

namespace Virt.Supervisor.Layout;

/// <summary>
/// The guest's PCI buses and what is taken on them. In a dry run a device that finds no slot makes the set grow a
/// bus of the kind it needs (a pcie-root-port for PCIe, a bridge for conventional PCI), as libvirt's first pass does
/// to learn which controllers to add; in the real run it is an error.
/// </summary>
internal sealed class PciAddressSet(List<PciBus> buses, bool dryRun)
{
    public List<PciBus> Buses { get; } = buses;
    public bool DryRun { get; } = dryRun;

    /// <summary>Takes an address the definition (or a chipset rule) gives.</summary>
    public void Reserve(PciAddress address, PciConnect deviceFlags, string what, bool fromConfig = true)
    {
        if (DryRun)
            Grow(address.Bus, deviceFlags);
        if (address.Bus >= Buses.Count)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: PCI bus {address.Bus} does not exist (no PCI controller with index {address.Bus})");
        var bus = Buses[address.Bus];
        if (!Compatible(bus.Flags, deviceFlags, fromConfig))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: PCI bus {address.Bus} ({bus.Model}) cannot take this device");
        if (address.Slot < bus.MinSlot || address.Slot > bus.MaxSlot)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: slot {address.Slot} is not usable on PCI bus {address.Bus} ({bus.Model}: slots {bus.MinSlot}-{bus.MaxSlot})");
        if (bus.FunctionInUse(address.Slot, address.Function))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: PCI address {Describe(address)} is already used by another device");
        bus.Reserve(address.Slot, address.Function, deviceFlags);
    }

    /// <summary>The next free address for a device, taken; function -1 means any free one (0 on an empty slot).</summary>
    public PciAddress ReserveNext(PciConnect deviceFlags, string what, int function = -1)
    {
        var address = Next(deviceFlags, what, function);
        Reserve(address, deviceFlags, what, fromConfig: false);
        return address;
    }

    public bool SlotInUse(int bus, int slot) => bus < Buses.Count && Buses[bus].SlotInUse(slot);

    private PciAddress Next(PciConnect deviceFlags, string what, int function)
    {
        for (var i = 0; i < Buses.Count; i++)
        {
            if (Compatible(Buses[i].Flags, deviceFlags, fromConfig: false) && Buses[i].FindFree(deviceFlags, function) is { } found)
                return new PciAddress(i, found.Slot, found.Function);
        }
        if (!DryRun)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"{what}: no free PCI slot is left");
        var added = Grow(Buses.Count, deviceFlags);
        var bus = Buses[added];
        return new PciAddress(added, bus.MinSlot, Math.Max(function, 0));
    }

    /// <summary>Adds buses up to <paramref name="wanted"/>, of the kind the device needs; returns the bus the device goes on.</summary>
    private int Grow(int wanted, PciConnect deviceFlags)
    {
        if (wanted < Buses.Count)
            return wanted;
        if (deviceFlags.HasFlag(PciConnect.PciDevice))
        {
            // A conventional PCI device on a PCIe-only topology needs a pcie-root-port to hold a pcie-to-pci-bridge.
            if (!Buses.Any(b => b.Flags.HasFlag(PciConnect.PciBridge)))
            {
                Buses.Add(new PciBus("pcie-root-port") { Flags = PciConnect.PcieToPciBridge });
                Buses.Add(new PciBus("pcie-to-pci-bridge"));
                return Buses.Count - 1;
            }
            while (Buses.Count <= wanted)
                Buses.Add(new PciBus("pci-bridge"));
            return wanted;
        }
        if ((deviceFlags & (PciConnect.PcieDevice | PciConnect.PcieSwitchUpstreamPort)) != 0)
        {
            while (Buses.Count <= wanted)
                Buses.Add(new PciBus("pcie-root-port"));
            return wanted;
        }
        throw new VirtException(ErrorCode.ConfigUnsupported, "no PCI slot is left for a PCI controller, and none can be added for it");
    }

    /// <summary>libvirt's rule: the kinds must meet; an assigned address needs a bus that allows assignment and hotplug where the device wants it.</summary>
    public static bool Compatible(PciConnect busFlags, PciConnect deviceFlags, bool fromConfig)
    {
        if (fromConfig)
        {
            // A written address may put a PCI device in a PCIe slot or the reverse, and a pci-bridge where a PCI device goes.
            if ((busFlags & PciConnect.Endpoint) != 0)
                busFlags |= PciConnect.Endpoint;
            if (deviceFlags.HasFlag(PciConnect.PciBridge))
                deviceFlags |= PciConnect.PciDevice;
        }
        else if (deviceFlags.HasFlag(PciConnect.AutoAssign) && !busFlags.HasFlag(PciConnect.AutoAssign))
        {
            return false;
        }
        if (deviceFlags.HasFlag(PciConnect.Hotpluggable) && !busFlags.HasFlag(PciConnect.Hotpluggable))
            return false;
        return (deviceFlags & busFlags & PciConnect.Types) != 0;
    }

    public static string Describe(PciAddress a) => $"0000:{a.Bus:x2}:{a.Slot:x2}.{a.Function:x}";
}
