namespace Virt.Supervisor.Layout;

/// <summary>
/// One PCI bus: the root, or the bus behind a PCI controller. Which devices it takes, the slots they may use, and
/// per slot which functions are taken and whether the slot gathers devices (root ports) as its functions.
/// </summary>
internal sealed class PciBus
{
    private readonly byte[] _functions = new byte[PciAddress.Slots];
    private readonly bool[] _aggregate = new bool[PciAddress.Slots];

    public PciBus(string model, bool hotplug = true)
    {
        Model = model;
        var hotplugFlag = hotplug ? PciConnect.Hotpluggable : PciConnect.None;
        (Flags, MinSlot, MaxSlot) = model switch
        {
            "pci-root" => (PciConnect.AutoAssign | PciConnect.PciDevice | PciConnect.PciBridge | PciConnect.PciExpanderBus | hotplugFlag, 1, 31),
            "pci-bridge" => (PciConnect.AutoAssign | PciConnect.PciDevice | PciConnect.PciBridge | hotplugFlag, 1, 31),
            "pci-expander-bus" => (PciConnect.AutoAssign | PciConnect.PciDevice | PciConnect.PciBridge | hotplugFlag, 0, 31),
            // The root complex takes endpoints only at addresses the definition gives, never by assignment.
            "pcie-root" => (PciConnect.PcieDevice | PciConnect.PcieRootPort | PciConnect.DmiToPciBridge | PciConnect.PcieExpanderBus, 1, 31),
            "dmi-to-pci-bridge" => (PciConnect.PciDevice | PciConnect.PciBridge, 0, 31),
            "pcie-to-pci-bridge" => (PciConnect.AutoAssign | PciConnect.PciDevice | PciConnect.PciBridge | hotplugFlag, 1, 31),
            "pcie-root-port" or "pcie-switch-downstream-port" =>
                (PciConnect.AutoAssign | PciConnect.PcieDevice | PciConnect.PcieSwitchUpstreamPort | PciConnect.PcieToPciBridge | hotplugFlag, 0, 0),
            "pcie-switch-upstream-port" => (PciConnect.PcieSwitchDownstreamPort, 0, 31),
            "pcie-expander-bus" => (PciConnect.PcieRootPort | PciConnect.DmiToPciBridge, 0, 31),
            _ => throw new ArgumentOutOfRangeException(nameof(model), model, "not a PCI controller model"),
        };
    }

    public string Model { get; }
    public PciConnect Flags { get; set; }
    public int MinSlot { get; }
    public int MaxSlot { get; }

    public bool IsEmpty => _functions.All(f => f == 0);

    public bool SlotInUse(int slot) => _functions[slot] != 0;

    public bool FunctionInUse(int slot, int function) => (_functions[slot] & (1 << function)) != 0;

    /// <summary>Several functions of one slot in use: the device at function 0 must say multifunction.</summary>
    public bool HasSeveralFunctions(int slot) => (_functions[slot] & (_functions[slot] - 1)) != 0;

    public void Reserve(int slot, int function, PciConnect deviceFlags)
    {
        if (_functions[slot] == 0 && deviceFlags.HasFlag(PciConnect.AggregateSlot))
            _aggregate[slot] = true;
        _functions[slot] |= (byte)(1 << function);
    }

    /// <summary>The first slot (and function) from MinSlot that a device with these flags may take; null when none is left.</summary>
    public (int Slot, int Function)? FindFree(PciConnect deviceFlags, int function)
    {
        for (var slot = MinSlot; slot <= MaxSlot; slot++)
        {
            if (_functions[slot] == 0)
                return (slot, Math.Max(function, 0));
            if (!deviceFlags.HasFlag(PciConnect.AggregateSlot) || !_aggregate[slot])
                continue;
            if (function >= 0)
            {
                if (!FunctionInUse(slot, function))
                    return (slot, function);
                continue;
            }
            for (var f = 0; f < 8; f++)
            {
                if (!FunctionInUse(slot, f))
                    return (slot, f);
            }
        }
        return null;
    }
}
