namespace Virt.Supervisor.Layout;

/// <summary>
/// What a device needs of the PCI slot it plugs into, and what a bus offers its slots: the kind of connection
/// (conventional PCI, PCI Express, or one kind of controller), whether addresses may be handed out automatically,
/// and whether a slot may hold several devices of the kind as its functions. The same words as libvirt's rules.
/// </summary>
[Flags]
internal enum PciConnect
{
    None = 0,
    PciDevice = 1 << 0,
    PcieDevice = 1 << 1,
    PcieRootPort = 1 << 2,
    PcieSwitchUpstreamPort = 1 << 3,
    PcieSwitchDownstreamPort = 1 << 4,
    PciBridge = 1 << 5,
    PcieToPciBridge = 1 << 6,
    DmiToPciBridge = 1 << 7,
    PciExpanderBus = 1 << 8,
    PcieExpanderBus = 1 << 9,
    AutoAssign = 1 << 10,
    Hotpluggable = 1 << 11,
    AggregateSlot = 1 << 12,

    Types = PciDevice | PcieDevice | PcieRootPort | PcieSwitchUpstreamPort | PcieSwitchDownstreamPort | PciBridge
        | PcieToPciBridge | DmiToPciBridge | PciExpanderBus | PcieExpanderBus,
    Endpoint = PciDevice | PcieDevice,
}
