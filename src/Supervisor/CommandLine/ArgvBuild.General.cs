using Virt.Protocol.Domains;
using Virt.Supervisor.Capabilities;

namespace Virt.Supervisor.CommandLine;

// Guest-wide options: identity, machine, accelerator, CPU, memory, monitor, clock, lifecycle, boot.
internal sealed partial class ArgvBuild
{
    private MachineType ResolveMachine()
    {
        if (_def.Os.Machine is null)
        {
            return _caps.DefaultMachine ?? throw Unsupported(
                $"no machine given in <os><type machine=...> and emulator '{_caps.EmulatorPath}' has no default machine");
        }
        return _caps.FindMachine(_def.Os.Machine) ?? throw Unsupported(
            $"emulator '{_caps.EmulatorPath}' does not support machine type '{_def.Os.Machine}'; supported: "
            + string.Join(", ", _caps.Machines.Select(m => m.Alias is null ? m.Name : $"{m.Alias} ({m.Name})")));
    }

    private void CheckGuest()
    {
        if (_def.Os.Type != "hvm")
            throw Unsupported($"<os><type>{_def.Os.Type}</type> is not supported; only hvm");
        if (_def.Os.Arch is { } arch && arch is not ("x86_64" or "i686"))
            throw Unsupported($"Emulator '{_caps.EmulatorPath}' does not support arch '{arch}'");
        if (_def.Vcpu.Count < 1)
            throw Unsupported($"<vcpu> must be at least 1, not {_def.Vcpu.Count}");
        if (_machine.MaxCpus > 0 && _def.Vcpu.Count > _machine.MaxCpus)
            throw Unsupported($"<vcpu> {_def.Vcpu.Count} is more than machine '{_machine.Name}' allows ({_machine.MaxCpus})");
        if (_def.MemoryKiB == 0)
            throw Unsupported("<memory> must be more than 0");
    }

    private void WriteGeneral()
    {
        _argv.Add("-name", new QemuOpts().Add("guest", _def.Name).Add("debug-threads", true));
        _argv.Flag("-S");
        _argv.Add("-machine", new QemuOpts().Add("type", _machine.Name).Add("usb", false)
            .Add("dump-guest-core", false).Add("acpi", _def.Features.Acpi));
        WriteAccelerator();
        WriteCpu();
        _argv.Add("-m", new QemuOpts().Add("size", $"{RoundUpToMiB(_def.MemoryKiB)}k"));
        _argv.Add("-smp", new QemuOpts().Add("cpus", _def.Vcpu.Count).Add("sockets", _def.Vcpu.Count).Add("cores", 1).Add("threads", 1));
        _argv.Add("-uuid", _def.Uuid.ToString("D"));
        if (_def.Devices.Graphics.Count == 0)
            _argv.Add("-display", "none");
        _argv.Flag("-no-user-config");
        _argv.Flag("-nodefaults");
        _argv.Add("-chardev", new QemuOpts("socket").Add("id", "charmonitor").Add("path", _ctx.MonitorSocketPath)
            .Add("server", true).Add("wait", false));
        _argv.Add("-mon", "chardev=charmonitor,id=monitor,mode=control");
        _argv.Add("-rtc", new QemuOpts().Add("base", _def.Clock.Offset switch
        {
            "utc" => "utc",
            "localtime" => "localtime",
            var other => throw Unsupported($"<clock offset='{other}'> is not supported; use utc or localtime"),
        }));
        // Like libvirt: QEMU never exits on a guest shutdown, the daemon sees the SHUTDOWN event and applies
        // on_poweroff itself; a guest reboot becomes a shutdown when on_reboot is destroy.
        _argv.Flag("-no-shutdown");
        if (_def.OnReboot == LifecycleAction.Destroy)
            _argv.Flag("-no-reboot");
        _argv.Add("-boot", "strict=on");
        if (_def.Os.Kernel is { } kernel)
            _argv.Add("-kernel", kernel); // -kernel, -initrd and -append take their value verbatim, no key=value parsing.
        if (_def.Os.Initrd is { } initrd)
            _argv.Add("-initrd", initrd);
        if (_def.Os.Cmdline is { } cmdline)
            _argv.Add("-append", cmdline);
        if ((_def.Os.Initrd is not null || _def.Os.Cmdline is not null) && _def.Os.Kernel is null)
            throw Unsupported("<initrd> or <cmdline> given without <kernel>");
    }

    private void WriteAccelerator()
    {
        if (_def.Type == DomainType.Kvm)
        {
            if (!_caps.KvmEnabled)
                throw Unsupported(
                    $"domain type 'kvm' needs KVM, which is not available to '{_caps.EmulatorPath}' on this host (no usable /dev/kvm); use <domain type='qemu'>");
            _argv.Add("-accel", "kvm");
        }
        else
        {
            _argv.Add("-accel", "tcg");
        }
    }

    private void WriteCpu()
    {
        var cpu = _def.Cpu;
        if (cpu is null)
            return;
        switch (cpu.Mode)
        {
            case null or "custom":
                if (cpu.Model is not null)
                {
                    // -cpu splits on every comma (no ",," escape), so a model name must be a plain word.
                    if (cpu.Model.Length == 0 || !cpu.Model.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                        throw Unsupported($"<cpu><model>{cpu.Model}</model> is not a valid CPU model name");
                    _argv.Add("-cpu", cpu.Model);
                }
                break;
            case "host-passthrough" or "host-model":
                if (_def.Type != DomainType.Kvm)
                    throw Unsupported($"<cpu mode='{cpu.Mode}'> needs domain type 'kvm'");
                _argv.Add("-cpu", "host");
                break;
            case "maximum":
                _argv.Add("-cpu", "max");
                break;
            default:
                throw Unsupported($"<cpu mode='{cpu.Mode}'> is not supported");
        }
    }

    /// <summary>libvirt rounds guest memory up to a whole MiB on x86.</summary>
    internal static ulong RoundUpToMiB(ulong kib) => (kib + 1023) / 1024 * 1024;
}
