using System.Globalization;
using Virt.Protocol.Domains;

namespace Virt.Supervisor.Attach;

internal sealed partial class ArgvConversion
{
    private readonly List<ControllerDevice> _controllers = [];
    private readonly List<InputDevice> _inputs = [];
    private readonly List<VideoDevice> _videos = [];
    private readonly List<RngDevice> _rngs = [];
    private WatchdogDevice? _watchdog;
    private string? _watchdogAction;
    private MemballoonDevice? _balloon;

    private static readonly Dictionary<string, string> VideoModels = new(StringComparer.Ordinal)
    {
        ["VGA"] = "vga",
        ["cirrus-vga"] = "cirrus",
        ["virtio-vga"] = "virtio",
        ["virtio-gpu-pci"] = "virtio",
        ["qxl-vga"] = "qxl",
        ["qxl"] = "qxl",
        ["bochs-display"] = "bochs",
        ["ramfb"] = "ramfb",
    };

    private static readonly Dictionary<string, (string Type, string? Model)> Controllers = new(StringComparer.Ordinal)
    {
        ["piix3-usb-uhci"] = ("usb", "piix3-uhci"),
        ["piix4-usb-uhci"] = ("usb", "piix4-uhci"),
        ["qemu-xhci"] = ("usb", "qemu-xhci"),
        ["nec-usb-xhci"] = ("usb", "nec-xhci"),
        ["ich9-usb-ehci1"] = ("usb", "ich9-ehci1"),
        ["usb-ehci"] = ("usb", "ehci"),
        ["lsi"] = ("scsi", "lsilogic"),
        ["virtio-scsi-pci"] = ("scsi", "virtio-scsi"),
        ["megasas"] = ("scsi", "lsisas1078"),
        ["ahci"] = ("sata", null),
    };

    private static readonly Dictionary<string, (string Type, string Bus)> Inputs = new(StringComparer.Ordinal)
    {
        ["usb-tablet"] = ("tablet", "usb"),
        ["usb-mouse"] = ("mouse", "usb"),
        ["usb-kbd"] = ("keyboard", "usb"),
        ["virtio-tablet-pci"] = ("tablet", "virtio"),
        ["virtio-mouse-pci"] = ("mouse", "virtio"),
        ["virtio-keyboard-pci"] = ("keyboard", "virtio"),
    };

    private void Device(ArgvOption o)
    {
        var v = QemuOptionValue.Parse(o.Name, Value(o), "driver");
        var driver = v.Take("driver") ?? "";
        switch (driver)
        {
            case "ide-hd" or "ide-cd" or "ide-drive" or "scsi-hd" or "scsi-cd" or "scsi-disk" or "virtio-blk-pci" or "virtio-blk" or "usb-storage" or "floppy":
                DiskDevice(o, v, driver);
                return;
            case "e1000" or "e1000e" or "rtl8139" or "virtio-net-pci" or "virtio-net" or "ne2k_pci" or "pcnet" or "i82559er" or "vmxnet3":
                NicDevice(o, v, driver);
                return;
            case "isa-serial" or "pci-serial" or "usb-serial":
                SerialDevice(o, v, driver);
                return;
        }
        v.Ignore("id");
        if (VideoModels.TryGetValue(driver, out var video))
        {
            var address = PciAddress(v);
            Commit(o, v, () => _videos.Add(new VideoDevice { ModelType = video, Address = address }));
        }
        else if (Controllers.TryGetValue(driver, out var controller))
        {
            var address = PciAddress(v);
            Commit(o, v, () => AddController(new ControllerDevice
            {
                Type = controller.Type,
                Index = _controllers.Count(c => c.Type == controller.Type),
                Model = controller.Model,
                Address = address,
            }));
        }
        else if (Inputs.TryGetValue(driver, out var input))
        {
            v.Ignore("bus", "port");
            Commit(o, v, () => _inputs.Add(new InputDevice { Type = input.Type, Bus = input.Bus }));
        }
        else if (driver is "virtio-balloon-pci" or "virtio-balloon")
        {
            var address = PciAddress(v);
            var period = v.TakeInt("guest-stats-polling-interval");
            v.IgnoreIf("free-page-reporting", "off");
            v.IgnoreIf("deflate-on-oom", "off");
            Commit(o, v, () => _balloon = new MemballoonDevice { Model = "virtio", StatsPeriod = period, Address = address });
        }
        else if (driver is "i6300esb" or "ib700")
        {
            var address = driver == "i6300esb" ? PciAddress(v) : null;
            Commit(o, v, () => _watchdog = new WatchdogDevice { Model = driver, Address = address });
        }
        else if (driver is "virtio-rng-pci" or "virtio-rng")
        {
            RngDevice(o, v);
        }
        else
        {
            PassThrough(o);
        }
    }

    /// <summary>Models a device only when every property it has was understood; otherwise keeps the option whole.</summary>
    private void Commit(ArgvOption o, QemuOptionValue v, Action apply)
    {
        if (v.Unused.Count > 0)
            PassThrough(o);
        else
            apply();
    }

    private void RngDevice(ArgvOption o, QemuOptionValue v)
    {
        var address = PciAddress(v);
        var id = v.Take("rng");
        if (id is null || !_objects.TryGetValue(id, out var backend) || v.Unused.Count > 0)
        {
            PassThrough(o);
            return;
        }
        var type = backend.Value.Take("qom-type");
        var path = type == "rng-random" ? backend.Value.Take("filename") ?? "/dev/urandom" : null;
        if (type is not ("rng-random" or "rng-builtin") || backend.Value.Unused.Count > 0)
        {
            PassThrough(o);
            return;
        }
        _usedBackends.Add(backend.Option);
        _rngs.Add(new RngDevice { BackendModel = type == "rng-random" ? "random" : "builtin", BackendPath = path, Address = address });
    }

    /// <summary>bus=pci.0 with addr=SLOT[.FUNCTION] as a libvirt PCI address; other buses are left unread.</summary>
    private static DeviceAddress? PciAddress(QemuOptionValue v)
    {
        var bus = v.Take("bus");
        if (bus is not null and not ("pci.0" or "pcie.0" or "pci"))
            return null;
        if (v.Take("addr") is not { } addr)
            return null;
        var parts = addr.Split('.');
        static int Hex(string s) => int.Parse(s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        int slot, function;
        try
        {
            slot = Hex(parts[0]);
            function = parts.Length > 1 ? Hex(parts[1]) : 0;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw v.Invalid("addr", addr, "SLOT[.FUNCTION] in hexadecimal, such as 0x3 or 0x1.0x2");
        }
        return new DeviceAddress
        {
            Type = "pci",
            Attributes =
            [
                new("domain", "0x0000"), new("bus", "0x00"),
                new("slot", "0x" + slot.ToString("x2", CultureInfo.InvariantCulture)),
                new("function", "0x" + function.ToString("x", CultureInfo.InvariantCulture)),
            ],
        };
    }

    private void AddController(ControllerDevice controller)
    {
        if (!_controllers.Any(c => c.Type == controller.Type && c.Index == controller.Index))
            _controllers.Add(controller);
    }

    private void UsbDevice(ArgvOption o)
    {
        var type = Value(o) switch { "tablet" => "tablet", "mouse" => "mouse", "keyboard" => "keyboard", _ => null };
        if (type is null)
        {
            PassThrough(o);
            return;
        }
        AddController(new ControllerDevice { Type = "usb", Index = 0 });
        _inputs.Add(new InputDevice { Type = type, Bus = "usb" });
    }

    private void Vga(ArgvOption o)
    {
        var model = Value(o) switch
        {
            "std" => "vga",
            "cirrus" => "cirrus",
            "virtio" => "virtio",
            "qxl" => "qxl",
            "none" => "none",
            _ => null,
        };
        if (model is null)
            PassThrough(o);
        else
            _videos.Add(new VideoDevice { ModelType = model });
    }

    private void LegacyWatchdog(ArgvOption o)
    {
        var model = Value(o).ToLowerInvariant();
        if (model is "i6300esb" or "ib700")
            _watchdog = new WatchdogDevice { Model = model };
        else
            PassThrough(o);
    }

    private void LegacyBalloon(ArgvOption o)
    {
        var kind = QemuOptionValue.SplitEscaped(Value(o))[0];
        if (kind == "virtio")
            _balloon = new MemballoonDevice { Model = "virtio" };
        else if (kind != "none")
            PassThrough(o);
    }

    private DeviceSet BuildDevices()
    {
        var x86 = ArchOf(Emulator) is "x86_64" or "i686";
        var controllers = new List<ControllerDevice>(_controllers);
        var disks = BuildDisks();
        if (x86)
        {
            // What the machine always has and libvirt lists: the PCI root, the IDE (pc) or SATA (q35) controller, PS/2 input.
            if (IsQ35)
            {
                if (!controllers.Any(c => c.Type == "pci" && c.Index == 0))
                    controllers.Add(new ControllerDevice { Type = "pci", Index = 0, Model = "pcie-root" });
                if (!controllers.Any(c => c.Type == "sata" && c.Index == 0))
                    controllers.Add(new ControllerDevice { Type = "sata", Index = 0 });
            }
            else
            {
                if (!controllers.Any(c => c.Type == "pci" && c.Index == 0))
                    controllers.Add(new ControllerDevice { Type = "pci", Index = 0, Model = "pci-root" });
                if (!controllers.Any(c => c.Type == "ide" && c.Index == 0))
                    controllers.Add(new ControllerDevice { Type = "ide", Index = 0 });
            }
            if (disks.Any(d => d.TargetBus == DiskBus.Fdc) && !controllers.Any(c => c.Type == "fdc"))
                controllers.Add(new ControllerDevice { Type = "fdc", Index = 0 });
        }
        var inputs = new List<InputDevice>(_inputs);
        if (x86)
        {
            inputs.Add(new InputDevice { Type = "mouse", Bus = "ps2" });
            inputs.Add(new InputDevice { Type = "keyboard", Bus = "ps2" });
        }
        var videos = _videos.Select((v, i) => i == 0 && v.ModelType != "none" ? v with { Primary = true } : v).ToList();
        var serials = _serials.OrderBy(s => s.TargetPort).ToList();
        return new DeviceSet
        {
            Emulator = Emulator,
            Disks = disks,
            Controllers = controllers,
            Interfaces = _interfaces.OrderBy(n => n.Position).Select(n => n.Device).ToList(),
            Inputs = inputs,
            Graphics = _graphics,
            Audios = _audios,
            Videos = videos,
            Serials = serials,
            // libvirt shows the first serial port again as the guest console.
            Consoles = serials.Take(1).Select(s => s with { TargetType = "serial", TargetPort = 0, TargetModel = null, Address = null, Append = null }).ToList(),
            Watchdog = _watchdog is null ? null : _watchdog with { Action = _watchdogAction },
            Rngs = _rngs,
            Memballoon = _balloon ?? new MemballoonDevice { Model = "none" },
        };
    }
}
