using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.Layout;

namespace Virt.Supervisor.CommandLine;

/// <summary>One run of the builder: the definition, what was decided so far, and the argv being written, in libvirt's order.</summary>
internal sealed partial class ArgvBuild
{
    private readonly DomainDefinition _def;
    private readonly QemuCapabilities _caps;
    private readonly QemuArgvContext _ctx;
    private readonly ArgvWriter _argv = new();
    private readonly MachineType _machine;
    private readonly MachineFamily _family;
    private readonly PciSlotAllocator _pci;
    private readonly BootOrder _boot;

    public ArgvBuild(DomainDefinition def, QemuCapabilities caps, QemuArgvContext ctx)
    {
        _def = def;
        _caps = caps;
        _ctx = ctx;
        _machine = ResolveMachine();
        _family = MachineFamilies.Of(_machine.Name) ?? throw new VirtException(ErrorCode.ConfigUnsupported,
            $"machine '{_machine.Name}' is not supported; use a pc (i440fx) or q35 machine");
        // The hardware libvirt would give the guest: its implicit devices, then an address for every device.
        _def = DomainHardware.Complete(def, caps, ctx.NvramDirectory ?? ctx.RuntimeDirectory);
        _pci = new PciSlotAllocator(_family, WrittenPciAddresses());
        _boot = BootOrder.Plan(_def);
    }

    /// <summary>The definition the argv is built from: completed with the implicit devices and every address.</summary>
    public DomainDefinition Definition => _def;

    public IReadOnlyList<string> Run()
    {
        CheckGuest();
        WriteGeneral();
        WriteControllers();
        WriteDisks();
        WriteFilesystems();
        WriteInterfaces();
        WriteCharDevices();
        WriteChannels();
        WriteInputs();
        WriteTpms();
        WriteAudio();
        WriteSounds();
        WriteGraphics();
        WriteRedirdevs();
        WriteVideos();
        WriteWatchdog();
        WriteMemballoon();
        WriteRngs();
        WritePanics();
        WriteVmCoreInfo();
        if (_caps.SupportsSandbox)
            _argv.Add("-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny");
        // QEMU's stderr goes to the domain log: timestamps make its messages line up with ours.
        _argv.Add("-msg", "timestamp=on");
        _argv.AddRange(_def.QemuCommandLine);
        return _argv.Arguments;
    }

    private IEnumerable<DeviceAddress?> WrittenPciAddresses()
    {
        var d = _def.Devices;
        return d.Disks.Select(x => x.Address)
            .Concat(d.Controllers.Select(x => x.Address))
            .Concat(d.Interfaces.Select(x => x.Address))
            .Concat(d.Filesystems.Select(x => x.Address))
            .Concat(d.Videos.Select(x => x.Address))
            .Concat(d.Inputs.Select(x => x.Address))
            .Concat(d.Rngs.Select(x => x.Address))
            .Concat(d.Serials.Select(x => x.Address))
            .Concat(d.Panics.Where(p => p.Model == "pvpanic").Select(p => p.Address))
            .Append(d.Watchdog?.Address)
            .Append(d.Memballoon?.Address);
    }

    private static VirtException Unsupported(string message) => new(ErrorCode.ConfigUnsupported, message);
}
