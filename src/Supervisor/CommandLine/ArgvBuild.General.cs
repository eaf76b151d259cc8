using System.Globalization;
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
        if (_ctx.Incoming)
            _argv.Add("-incoming", "defer"); // a restore: the state comes through migrate-incoming once QMP is up
        var machine = new QemuOpts().Add("type", _machine.Name).Add("usb", false);
        if (_def.Features.Vmport is { } vmport)
            machine.Add("vmport", vmport);
        if (_def.Features.Smm is { } smm)
            machine.Add("smm", smm);
        machine.Add("dump-guest-core", false);
        if (Timer("hpet") is { Present: { } hpet })
            machine.Add("hpet", hpet);
        if (WriteFlash() is { } flash)
            machine.Add("pflash0", flash.Code).Add("pflash1", flash.Variables);
        _argv.Add("-machine", machine.Add("acpi", _def.Features.Acpi));
        WriteAccelerator();
        WriteCpu();
        _argv.Add("-m", new QemuOpts().Add("size", $"{RoundUpToMiB(_def.MemoryKiB)}k"));
        // As libvirt: a written topology with its dies and clusters, else one socket per vCPU.
        var smp = new QemuOpts().Add("cpus", _def.Vcpu.Count);
        if (_def.Cpu?.Topology is { } t)
            smp.Add("sockets", t.Sockets).Add("dies", t.Dies).Add("clusters", t.Clusters).Add("cores", t.Cores).Add("threads", t.Threads);
        else
            smp.Add("sockets", _def.Vcpu.Count).Add("cores", 1).Add("threads", 1);
        _argv.Add("-smp", smp);
        _argv.Add("-uuid", _def.Uuid.ToString("D"));
        if (_def.Devices.Graphics.Count == 0)
            _argv.Add("-display", "none");
        _argv.Flag("-no-user-config");
        _argv.Flag("-nodefaults");
        _argv.Add("-chardev", new QemuOpts("socket").Add("id", "charmonitor").Add("path", _ctx.MonitorSocketPath)
            .Add("server", true).Add("wait", false));
        _argv.Add("-mon", "chardev=charmonitor,id=monitor,mode=control");
        WriteClock();
        // Like libvirt: QEMU never exits on a guest shutdown, the daemon sees the SHUTDOWN event and applies
        // on_poweroff itself; a guest reboot becomes a shutdown when on_reboot is destroy.
        _argv.Flag("-no-shutdown");
        if (_def.OnReboot == LifecycleAction.Destroy)
            _argv.Flag("-no-reboot");
        WritePowerManagement();
        var boot = new QemuOpts();
        if (_def.Os.BootMenu is { } menu)
        {
            boot.Add("menu", menu);
            if (menu && _def.Os.BootMenuTimeout is { } timeout)
                boot.Add("splash-time", timeout);
        }
        _argv.Add("-boot", boot.Add("strict", true));
        if (_def.Os.Kernel is { } kernel)
            _argv.Add("-kernel", kernel); // -kernel, -initrd and -append take their value verbatim, no key=value parsing.
        if (_def.Os.Initrd is { } initrd)
            _argv.Add("-initrd", initrd);
        if (_def.Os.Cmdline is { } cmdline)
            _argv.Add("-append", cmdline);
        if ((_def.Os.Initrd is not null || _def.Os.Cmdline is not null) && _def.Os.Kernel is null)
            throw Unsupported("<initrd> or <cmdline> given without <kernel>");
    }

    /// <summary>
    /// UEFI in flash as libvirt writes it: the code read-only (a raw format node over its file) as pflash0, the guest's
    /// variable store as pflash1, and the flash locked to SMM for Secure Boot. Written before -machine names them.
    /// </summary>
    private (string Code, string Variables)? WriteFlash()
    {
        if (_def.Os.Loader is not { } loader)
            return null;
        if (loader.Type == "rom")
        {
            _argv.Add("-bios", loader.Path ?? throw Unsupported("<loader type='rom'> needs the firmware's path"));
            return null;
        }
        var code = loader.Path ?? throw Unsupported("<loader> needs the firmware's path, or <os firmware='efi'> to choose one");
        var nvram = _def.Os.Nvram?.Path ?? throw Unsupported("a pflash <loader> needs an <nvram> store for the guest's variables");
        if (loader.Secure == true && _def.Features.Smm == false)
            throw Unsupported("Secure boot requires SMM feature enabled (<smm state='on'/>)");
        _argv.Json("-blockdev", new System.Text.Json.Nodes.JsonObject
        {
            ["driver"] = "file",
            ["filename"] = code,
            ["node-name"] = "libvirt-pflash0-storage",
            ["auto-read-only"] = true,
            ["discard"] = "unmap",
        });
        _argv.Json("-blockdev", new System.Text.Json.Nodes.JsonObject
        {
            ["node-name"] = "libvirt-pflash0-format",
            ["read-only"] = loader.ReadOnly != false,
            ["driver"] = "raw",
            ["file"] = "libvirt-pflash0-storage",
        });
        _argv.Json("-blockdev", new System.Text.Json.Nodes.JsonObject
        {
            ["driver"] = "file",
            ["filename"] = nvram,
            ["node-name"] = "libvirt-pflash1-storage",
            ["read-only"] = false,
        });
        if (loader.Secure == true)
            _argv.Add("-global", "driver=cfi.pflash01,property=secure,value=on");
        return ("libvirt-pflash0-format", "libvirt-pflash1-storage");
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
        var model = CpuModel();
        var timers = CpuTimerProperties();
        if (model is null && timers.Length == 0)
            return;
        // The paravirtual clocks are CPU properties; without a model they go on QEMU's own default, qemu64.
        _argv.Add("-cpu", (model ?? "qemu64") + timers);
    }

    private string? CpuModel()
    {
        var cpu = _def.Cpu;
        if (cpu is null)
            return null;
        switch (cpu.Mode)
        {
            case null or "custom":
                // -cpu splits on every comma (no ",," escape), so a model name must be a plain word.
                if (cpu.Model is not null && (cpu.Model.Length == 0 || !cpu.Model.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
                    throw Unsupported($"<cpu><model>{cpu.Model}</model> is not a valid CPU model name");
                return cpu.Model;
            case "host-passthrough":
                if (_def.Type != DomainType.Kvm)
                    throw Unsupported($"<cpu mode='{cpu.Mode}'> needs domain type 'kvm'");
                return cpu.Migratable == false ? "host,migratable=off" : "host,migratable=on";
            case "host-model":
                // libvirt turns host-model into the named model nearest the host CPU and its features; 'host' would
                // give the guest a different CPU, so it is refused until that expansion is done here too.
                throw Unsupported("<cpu mode='host-model'> is not supported yet; use host-passthrough, maximum or a named model");
            case "maximum":
                return "max";
            default:
                throw Unsupported($"<cpu mode='{cpu.Mode}'> is not supported");
        }
    }

    /// <summary>kvmclock, hypervclock and tsc as libvirt writes them: ",kvmclock=on|off", ",hv-time=on", ",tsc-frequency=HZ".</summary>
    private string CpuTimerProperties()
    {
        var properties = "";
        if (Timer("kvmclock") is { Present: { } kvmclock })
            properties += kvmclock ? ",kvmclock=on" : ",kvmclock=off";
        if (Timer("hypervclock") is { Present: true })
            properties += ",hv-time=on";
        if (Timer("tsc") is { Frequency: { } hz })
            properties += string.Create(CultureInfo.InvariantCulture, $",tsc-frequency={hz}");
        return properties + HypervProperties();
    }

    /// <summary>Hyper-V enlightenments as libvirt writes them on -cpu: each feature that is on, in libvirt's order.</summary>
    private string HypervProperties()
    {
        if (_def.Features.Hyperv is not { } hv)
            return "";
        if (hv.Mode == "passthrough")
            return ",hv-passthrough=on";
        var properties = new System.Text.StringBuilder();
        foreach (var (name, on) in hv.States)
        {
            if (!on)
                continue;
            properties.Append(name switch
            {
                "spinlocks" => string.Create(CultureInfo.InvariantCulture, $",hv-spinlocks=0x{hv.SpinlockRetries:x}"),
                "vendor_id" => $",hv-vendor-id={hv.VendorId}",
                _ => $",hv-{name}=on",
            });
            if (name == "stimer" && hv.StimerDirect == true)
                properties.Append(",hv-stimer-direct=on");
        }
        return properties.ToString();
    }

    private ClockTimer? Timer(string name) => _def.Clock.Timers.FirstOrDefault(t => t.Name == name);

    /// <summary>-rtc with the rtc timer's track and catch-up, then the PIT's lost-tick policy, as libvirt writes them.</summary>
    private void WriteClock()
    {
        var rtc = new QemuOpts().Add("base", _def.Clock.Offset switch
        {
            "utc" => "utc",
            "localtime" => "localtime",
            var other => throw Unsupported($"<clock offset='{other}'> is not supported; use utc or localtime"),
        });
        if (Timer("rtc") is { } timer)
        {
            switch (timer.Track)
            {
                case "guest": rtc.Add("clock", "vm"); break;
                case "wall": rtc.Add("clock", "host"); break;
                case "realtime": rtc.Add("clock", "rt"); break;
                case "boot": throw Unsupported("unsupported rtc timer track 'boot'");
            }
            switch (timer.TickPolicy)
            {
                case "catchup": rtc.Add("driftfix", "slew"); break;
                case "merge" or "discard": throw Unsupported($"unsupported rtc timer tickpolicy '{timer.TickPolicy}'");
            }
        }
        _argv.Add("-rtc", rtc);
        if (Timer("pit") is { } pit)
        {
            switch (pit.TickPolicy)
            {
                case null or "delay": _argv.Add("-global", "kvm-pit.lost_tick_policy=delay"); break;
                case "discard": _argv.Add("-global", "kvm-pit.lost_tick_policy=discard"); break;
                case "merge": throw Unsupported("unsupported pit tickpolicy 'merge'");
            }
        }
        foreach (var other in _def.Clock.Timers.Where(t => t.Name is not ("rtc" or "pit") && t.TickPolicy is not null))
            throw Unsupported($"<timer name='{other.Name}' tickpolicy='{other.TickPolicy}'>: only the rtc and pit timers have a tick policy");
    }

    /// <summary>&lt;pm&gt; as libvirt writes it: PIIX4_PM's switches, ICH9-LPC's on q35.</summary>
    private void WritePowerManagement()
    {
        var device = _family == MachineFamily.Q35 ? "ICH9-LPC" : "PIIX4_PM";
        if (_def.Pm.SuspendToMem is { } s3)
            _argv.Add("-global", $"{device}.disable_s3={(s3 ? 0 : 1)}");
        if (_def.Pm.SuspendToDisk is { } s4)
            _argv.Add("-global", $"{device}.disable_s4={(s4 ? 0 : 1)}");
    }

    /// <summary>libvirt rounds guest memory up to a whole MiB on x86.</summary>
    internal static ulong RoundUpToMiB(ulong kib) => (kib + 1023) / 1024 * 1024;
}
