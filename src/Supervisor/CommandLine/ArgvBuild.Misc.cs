using System.Text.Json.Nodes;
using Virt.Protocol.Domains;

namespace Virt.Supervisor.CommandLine;

// Watchdog, panic devices, memory balloon and random number generators.
internal sealed partial class ArgvBuild
{
    /// <summary>
    /// A panic device makes QEMU report GUEST_PANICKED; with -no-shutdown it pauses the guest, and the daemon applies
    /// on_crash. isa is pvpanic at its I/O port (0x505 unless an isa address says otherwise), pvpanic the PCI one.
    /// </summary>
    private void WritePanics()
    {
        for (var i = 0; i < _def.Devices.Panics.Count; i++)
        {
            var panic = _def.Devices.Panics[i];
            var what = $"<panic model='{panic.Model ?? "isa"}'>";
            switch (panic.Model ?? "isa")
            {
                case "isa":
                    var isa = new JsonObject { ["driver"] = "pvpanic", ["id"] = $"panic{i}" };
                    if (panic.Address?["iobase"] is { } iobase)
                        isa["ioport"] = ParseIoPort(iobase, what);
                    _argv.Json("-device", isa);
                    break;
                case "pvpanic":
                    var pci = new JsonObject { ["driver"] = "pvpanic-pci", ["id"] = $"panic{i}" };
                    _pci.Place(pci, panic.Address, what);
                    _argv.Json("-device", pci);
                    break;
                default:
                    throw Unsupported($"{what} is not supported on {_def.Os.Arch ?? "x86_64"}; use model 'isa' or 'pvpanic'");
            }
        }
    }

    private static int ParseIoPort(string text, string what)
    {
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        if (int.TryParse(hex ? text[2..] : text, hex ? System.Globalization.NumberStyles.HexNumber : System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 0xffff)
            return port;
        throw Unsupported($"{what}: iobase '{text}' is not an I/O port");
    }

    private void WriteWatchdog()
    {
        if (_def.Devices.Watchdog is not { } watchdog)
            return;
        var what = $"<watchdog model='{watchdog.Model}'>";
        switch (watchdog.Model)
        {
            case "i6300esb":
                var pci = new JsonObject { ["driver"] = "i6300esb", ["id"] = "watchdog0" };
                _pci.Place(pci, watchdog.Address, what);
                _argv.Json("-device", pci);
                break;
            case "ib700":
                _argv.Json("-device", new JsonObject { ["driver"] = "ib700", ["id"] = "watchdog0" });
                break;
            case "itco" when _family == MachineFamily.Q35:
                _argv.Add("-global", "ICH9-LPC.noreboot=off"); // the iTCO is built into q35's LPC bridge; this arms it
                break;
            default:
                throw Unsupported($"{what} is not supported on machine '{_machine.Name}'; use i6300esb or ib700 (or itco on q35)");
        }
        var action = (watchdog.Action ?? "reset") switch
        {
            "reset" or "shutdown" or "poweroff" or "pause" or "none" or "inject-nmi" => watchdog.Action ?? "reset",
            // The parser refuses dump by line; a definition built in code may still carry it.
            var other => throw Unsupported($"{what}: action '{other}' is not supported"),
        };
        _argv.Add("-watchdog-action", action);
    }

    /// <summary>vmcoreinfo lets the host read a guest kernel's crash dump; libvirt writes it after the panic devices.</summary>
    private void WriteVmCoreInfo()
    {
        if (_def.Features.VmCoreInfo == true)
            _argv.Json("-device", new JsonObject { ["driver"] = "vmcoreinfo" });
    }

    private void WriteMemballoon()
    {
        // An absent <memballoon> means libvirt's default, a virtio balloon.
        var balloon = _def.Devices.Memballoon ?? new MemballoonDevice { Model = "virtio" };
        switch (balloon.Model)
        {
            case "none":
                return;
            case "virtio":
                var device = new JsonObject { ["driver"] = "virtio-balloon-pci", ["id"] = "balloon0" };
                if (balloon.StatsPeriod is { } period)
                    device["guest-stats-polling-interval"] = period;
                if (balloon.AutoDeflate is { } deflate)
                    device["deflate-on-oom"] = deflate;
                if (balloon.FreePageReporting is { } reporting)
                    device["free-page-reporting"] = reporting;
                _pci.Place(device, balloon.Address, "<memballoon>");
                _argv.Json("-device", device);
                return;
            default:
                throw Unsupported($"<memballoon model='{balloon.Model}'> is not supported; use virtio or none");
        }
    }

    /// <summary>Shared directories over virtio-9p: a local fsdev on the host directory and the PCI device that carries its tag.</summary>
    private void WriteFilesystems()
    {
        var filesystems = _def.Devices.Filesystems;
        for (var i = 0; i < filesystems.Count; i++)
        {
            var fs = filesystems[i];
            var what = $"<filesystem> '{fs.TargetDir}'";
            if (fs.DriverType == "virtiofs")
                throw Unsupported($"{what}: <driver type='virtiofs'> needs virtiofsd and shared guest memory, which Virt does not run; use the default driver (virtio-9p)");
            var opts = new QemuOpts("local").Add("security_model", fs.AccessMode == "squash" ? "none" : fs.AccessMode);
            if (fs.Multidevs is { } multidevs and not "default")
                opts.Add("multidevs", multidevs);
            if (fs.FileMode is { } fmode)
                opts.Add("fmode", fmode.PadLeft(4, '0'));
            if (fs.DirectoryMode is { } dmode)
                opts.Add("dmode", dmode.PadLeft(4, '0'));
            opts.Add("id", $"fsdev-fs{i}").Add("path", fs.SourceDir);
            if (fs.ReadOnly)
                opts.Add("readonly", true);
            _argv.Add("-fsdev", opts);
            var device = new JsonObject { ["driver"] = "virtio-9p-pci", ["id"] = $"fs{i}", ["fsdev"] = $"fsdev-fs{i}", ["mount_tag"] = fs.TargetDir };
            _pci.Place(device, fs.Address, what);
            _argv.Json("-device", device);
        }
    }

    /// <summary>An emulated TPM: QEMU's TPM front end on the control socket of the swtpm the daemon starts first.</summary>
    private void WriteTpms()
    {
        foreach (var tpm in _def.Devices.Tpms)
        {
            if (tpm.BackendType != "emulator")
                throw Unsupported($"<tpm> backend '{tpm.BackendType}' is not supported; use type='emulator'");
            _argv.Add("-chardev", new QemuOpts("socket").Add("id", "chrtpm").Add("path", Tpm.Swtpm.SocketPath(_ctx.RuntimeDirectory)).ToString());
            _argv.Add("-tpmdev", new QemuOpts("emulator").Add("id", "tpm-tpm0").Add("chardev", "chrtpm").ToString());
            _argv.Json("-device", new JsonObject { ["driver"] = tpm.Model, ["tpmdev"] = "tpm-tpm0", ["id"] = "tpm0" });
        }
    }

    private void WriteRngs()
    {
        var rngs = _def.Devices.Rngs;
        for (var i = 0; i < rngs.Count; i++)
        {
            var rng = rngs[i];
            var what = $"<rng model='{rng.Model}'> {i}";
            if (rng.Model != "virtio")
                throw Unsupported($"{what}: only model 'virtio' is supported");
            var backend = rng.BackendModel switch
            {
                "random" => new JsonObject { ["qom-type"] = "rng-random", ["id"] = $"objrng{i}", ["filename"] = rng.BackendPath ?? "/dev/urandom" },
                "builtin" => new JsonObject { ["qom-type"] = "rng-builtin", ["id"] = $"objrng{i}" },
                var other => throw Unsupported($"{what}: <backend model='{other}'> is not supported; use random or builtin"),
            };
            _argv.Json("-object", backend);
            var device = new JsonObject { ["driver"] = "virtio-rng-pci", ["rng"] = $"objrng{i}", ["id"] = $"rng{i}" };
            if (rng.RateBytes is { } bytes)
            {
                device["max-bytes"] = bytes;
                device["period"] = rng.RatePeriod ?? 1000;
            }
            _pci.Place(device, rng.Address, what);
            _argv.Json("-device", device);
        }
    }
}
