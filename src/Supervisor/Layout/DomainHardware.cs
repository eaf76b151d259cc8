using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.CommandLine;

namespace Virt.Supervisor.Layout;

/// <summary>
/// The definition as libvirt keeps it once defined: the machine by its versioned name (pc becomes pc-i440fx-7.2, so a
/// QEMU upgrade does not change the guest's hardware), the implicit devices, and an address for every device, PCI
/// controllers and USB hubs included. Applied on define and again before a start, where it changes nothing for a
/// definition it already completed.
/// </summary>
public static class DomainHardware
{
    public static DomainDefinition Complete(DomainDefinition def, QemuCapabilities caps)
    {
        ArgumentNullException.ThrowIfNull(def);
        ArgumentNullException.ThrowIfNull(caps);
        var machine = def.Os.Machine is { } written
            ? caps.FindMachine(written) ?? throw new VirtException(ErrorCode.ConfigUnsupported,
                $"emulator '{caps.EmulatorPath}' does not support machine type '{written}'")
            : caps.DefaultMachine ?? throw new VirtException(ErrorCode.ConfigUnsupported,
                $"no machine given in <os><type machine=...> and emulator '{caps.EmulatorPath}' has no default machine");
        var family = MachineFamilies.Of(machine.Name) ?? throw new VirtException(ErrorCode.ConfigUnsupported,
            $"machine '{machine.Name}' is not supported; use a pc (i440fx) or q35 machine");
        var canonical = def with { Os = def.Os with { Machine = machine.Name } };
        return VirtioSerialPorts.Apply(UsbLayout.Apply(PciLayout.Apply(ImplicitDevices.Complete(canonical, family), family)));
    }
}
