using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.CommandLine;
using Virt.Supervisor.Firmware;

namespace Virt.Supervisor.Layout;

/// <summary>
/// The definition as libvirt keeps it once defined: the machine by its versioned name (pc becomes pc-i440fx-7.2, so a
/// QEMU upgrade does not change the guest's hardware), the implicit devices, and an address for every device, PCI
/// controllers and USB hubs included. Applied on define and again before a start, where it changes nothing for a
/// definition it already completed.
/// </summary>
public static class DomainHardware
{
    /// <param name="nvramDirectory">Where a UEFI guest's own variable store goes (NAME_VARS.fd); null leaves it to be named later.</param>
    /// <param name="firmware">The firmware descriptors to choose from; the host's by default.</param>
    public static DomainDefinition Complete(DomainDefinition def, QemuCapabilities caps, string? nvramDirectory = null, FirmwareCatalog? firmware = null)
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
        var booting = WithDefaultBoot(def);
        var canonical = WithFirmware(booting with { Os = booting.Os with { Machine = machine.Name } }, machine.Name, nvramDirectory, firmware);
        return InterfaceMacs.Apply(VirtioSerialPorts.Apply(UsbLayout.Apply(PciLayout.Apply(ImplicitDevices.Complete(canonical, family), family))));
    }

    /// <summary>
    /// As libvirt's post-parse: with neither &lt;os&gt;&lt;boot dev&gt; nor a device's &lt;boot order&gt;, the guest boots from
    /// its first hard disk, and the definition says so (cockpit shows "No boot device found" otherwise).
    /// </summary>
    private static DomainDefinition WithDefaultBoot(DomainDefinition def)
    {
        var devices = def.Devices;
        var perDevice = devices.Disks.Any(d => d.BootOrder is not null) || devices.Interfaces.Any(i => i.BootOrder is not null)
            || devices.Redirdevs.Any(r => r.BootOrder is not null);
        return def.Os.BootDevices.Count > 0 || perDevice ? def : def with { Os = def.Os with { BootDevices = [BootDevice.HardDisk] } };
    }

    /// <summary>
    /// &lt;os firmware='efi'&gt; (or a pflash loader without its template) resolved as libvirt resolves it on define:
    /// the descriptor's code and variables template, read-only flash, Secure Boot and SMM where the firmware needs them,
    /// and the guest's own variable store named after it.
    /// </summary>
    private static DomainDefinition WithFirmware(DomainDefinition def, string machine, string? nvramDirectory, FirmwareCatalog? firmware)
    {
        var os = def.Os;
        var manualFlash = os.Firmware is null && os.Loader is { Type: "pflash" or null, Path: not null } && os.Nvram?.Template is null;
        if (os.Firmware != "efi" && !manualFlash)
            return def;
        var needsChoice = os.Loader?.Path is null || os.Nvram?.Template is null;
        var chosen = needsChoice ? (firmware ?? FirmwareCatalog.System).Select(def, machine) : null;
        var secure = os.Loader?.Secure ?? chosen?.Has("requires-smm");
        var loader = (os.Loader ?? new LoaderConfig()) with
        {
            Path = os.Loader?.Path ?? chosen?.Executable,
            ReadOnly = os.Loader?.ReadOnly ?? true,
            Secure = secure,
            Type = os.Loader?.Type ?? "pflash",
            Format = os.Loader?.Format ?? "raw",
        };
        var nvram = (os.Nvram ?? new NvramConfig()) with
        {
            Template = os.Nvram?.Template ?? chosen?.NvramTemplate,
            TemplateFormat = os.Nvram?.TemplateFormat ?? "raw",
            Format = os.Nvram?.Format ?? "raw",
            Path = os.Nvram?.Path ?? (nvramDirectory is null ? null : Path.Combine(nvramDirectory, def.Name + "_VARS.fd")),
        };
        var features = chosen is null || os.Firmware != "efi"
            ? os.FirmwareFeatures
            : [new("enrolled-keys", chosen.Has("enrolled-keys")), new("secure-boot", chosen.Has("secure-boot"))];
        return def with
        {
            Os = os with { Loader = loader, Nvram = nvram, FirmwareFeatures = features },
            Features = secure == true && def.Features.Smm is null ? def.Features with { Smm = true } : def.Features,
        };
    }
}
