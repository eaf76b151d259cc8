using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Attach;

/// <summary>One conversion of an argv: collects backends first, then reads every option into the model or the passthrough list.</summary>
internal sealed partial class ArgvConversion
{
    private readonly IReadOnlyList<string> _argv;
    private readonly string? _fallbackName;
    private readonly List<ArgvOption> _options;
    private readonly SortedDictionary<(int, int), IReadOnlyList<string>> _passthrough = new();

    private string? _name;
    private Guid? _uuid;
    private ulong? _memoryKiB;
    private int _vcpus = 1;
    private string? _machine;
    private DomainType _type = DomainType.Qemu;
    private CpuConfig? _cpu;
    private List<BootDevice> _bootOrder = [];
    private string? _kernel, _initrd, _cmdline;
    private bool _acpi = true;
    private string _clockOffset = "utc";
    private LifecycleAction _onReboot = LifecycleAction.Restart;
    private bool _startPaused;
    private string? _monitorPath;

    public ArgvConversion(IReadOnlyList<string> argv, string? fallbackName)
    {
        _argv = argv;
        _fallbackName = fallbackName;
        _options = QemuArgvTokens.Split(argv);
    }

    private string Emulator => _argv[0];

    private bool IsQ35 => _machine is { } m && (m == "q35" || m.StartsWith("pc-q35", StringComparison.Ordinal));

    public ParsedQemuCommandLine Run()
    {
        CollectBackends();
        // The machine decides bus names (ide.N is SATA on q35) and default NIC models: read it before devices.
        foreach (var option in _options.Where(o => o.Name is "machine" or "M"))
            Machine(option);
        foreach (var option in _options)
        {
            if (option.Name is "machine" or "M" || IsBackend(option))
                continue;
            Handle(option);
        }
        FinishLegacyNets();
        var devices = BuildDevices();
        PassThroughUnusedBackends();
        if (_watchdog is null && _options.LastOrDefault(o => o.Name == "watchdog-action") is { } orphanAction)
            PassThrough(orphanAction);
        if (_bootOrder.Count > 0 && HasDeviceBootOrder(devices))
        {
            // QEMU lets bootindex= and -boot order= coexist, the model does not: the per-device order wins, the rest is kept.
            var boot = _options.Last(o => o.Name == "boot");
            _passthrough[(boot.Position, 1)] = [boot.Tokens[0], "order=" + string.Concat(_bootOrder.Select(BootLetter))];
            _bootOrder = [];
        }

        var passthrough = _passthrough.Values.SelectMany(t => t).ToList();
        var definition = new DomainDefinition
        {
            Type = _type,
            Name = _name ?? _fallbackName ?? throw new VirtException(ErrorCode.XmlError, "the command line has no -name and no fallback name was given"),
            Uuid = _uuid ?? Guid.NewGuid(),
            MemoryKiB = _memoryKiB ?? 128 * 1024, // QEMU's default RAM size on x86
            CurrentMemoryKiB = _memoryKiB ?? 128 * 1024,
            Vcpu = new VcpuConfig { Count = _vcpus, Placement = "static" },
            Os = new OsConfig
            {
                Arch = ArchOf(Emulator),
                Machine = _machine,
                BootDevices = _bootOrder,
                Kernel = _kernel,
                Initrd = _initrd,
                Cmdline = _cmdline,
            },
            Cpu = _cpu,
            Features = new FeatureSet { Acpi = _acpi },
            Clock = new ClockConfig { Offset = _clockOffset },
            OnReboot = _onReboot,
            Devices = devices,
            QemuCommandLine = passthrough,
        };
        try
        {
            DomainValidator.Validate(definition);
        }
        catch (DomainXmlException e)
        {
            throw new VirtException(e.Code, $"the QEMU command line describes a domain Virt cannot accept: {e.Message}", e);
        }
        return new ParsedQemuCommandLine
        {
            Definition = definition,
            MonitorSocketPath = _monitorPath,
            Taints = passthrough.Count > 0 ? [DomainTaints.CustomArgv] : [],
            StartPaused = _startPaused,
        };
    }

    private static bool HasDeviceBootOrder(DeviceSet d) =>
        d.Disks.Any(x => x.BootOrder is not null) || d.Interfaces.Any(x => x.BootOrder is not null);

    /// <summary>libvirt's arch name for a qemu-system-* binary.</summary>
    internal static string? ArchOf(string emulator)
    {
        var name = Path.GetFileName(emulator);
        if (!name.StartsWith("qemu-system-", StringComparison.Ordinal))
            return null;
        var arch = name["qemu-system-".Length..];
        return arch switch { "i386" => "i686", _ => arch };
    }

    private void Handle(ArgvOption o)
    {
        switch (o.Name)
        {
            case "name": Name(o); break;
            case "uuid":
                _uuid = Guid.TryParse(Value(o), out var uuid) ? uuid : throw Invalid(o, "a UUID such as c7a5fdbd-edaf-9455-926a-d65c16db1809");
                break;
            case "m": Memory(o); break;
            case "smp": Smp(o); break;
            case "accel": Accel(o); break;
            case "enable-kvm": _type = DomainType.Kvm; break;
            case "cpu": Cpu(o); break;
            case "boot": Boot(o); break;
            case "kernel": _kernel = Value(o); break;
            case "initrd": _initrd = Value(o); break;
            case "append": _cmdline = Value(o); break;
            case "drive": Drive(o); break;
            case "hda" or "hdb" or "hdc" or "hdd": LegacyDisk(o, "hd", o.Name[2] - 'a', DiskDeviceKind.Disk, DiskBus.Ide); break;
            case "cdrom": LegacyDisk(o, "hd", 2, DiskDeviceKind.Cdrom, DiskBus.Ide); break;
            case "fda" or "fdb": LegacyDisk(o, "fd", o.Name[2] - 'a', DiskDeviceKind.Floppy, DiskBus.Fdc); break;
            case "device": Device(o); break;
            case "net": LegacyNet(o); break;
            case "nic": Nic(o); break;
            case "vnc": Vnc(o, Value(o)); break;
            case "display": Display(o); break;
            // No graphics is what the model says when it lists none; QEMU's implicit defaults are not modelled (as libvirt's argv2xml did not).
            case "nographic": break;
            case "serial": LegacySerial(o); break;
            case "no-reboot": _onReboot = LifecycleAction.Destroy; break;
            // libvirt starts every QEMU with -no-shutdown so that it, not QEMU, applies on_poweroff; it says nothing about the domain.
            case "no-shutdown": break;
            case "rtc": Rtc(o); break;
            case "localtime": _clockOffset = "localtime"; break;
            case "no-acpi": _acpi = false; break;
            case "usb": AddController(new ControllerDevice { Type = "usb", Index = 0 }); break;
            case "usbdevice": UsbDevice(o); break;
            case "vga": Vga(o); break;
            case "watchdog": LegacyWatchdog(o); break;
            case "watchdog-action": _watchdogAction = Value(o); break;
            case "balloon": LegacyBalloon(o); break;
            case "audiodev": break; // collected with the backends
            case "global": Global(o); break;
            case "qmp" or "qmp-pretty": Qmp(o); break;
            case "mon": Mon(o); break;
            case "parallel":
                if (Value(o) != "none")
                    PassThrough(o);
                break;
            case "overcommit": Overcommit(o); break;
            // Process management and logging that the manager decides itself; the guest sees none of it.
            case "S": _startPaused = true; break;
            case "nodefaults" or "no-user-config" or "nodefconfig" or "daemonize" or "pidfile" or "sandbox" or "msg": break;
            default: PassThrough(o); break;
        }
    }

    private void Name(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), "guest");
        _name = value.Take("guest") ?? throw Invalid(o, "a name, or guest=NAME");
        value.Ignore("debug-threads", "process");
        PassThroughUnused(o, value);
    }

    private void Memory(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), "size");
        if (value.Take("size") is { } size)
            _memoryKiB = ParseSize(o, size, defaultUnit: 'M') / 1024;
        // slots and maxmem (memory hotplug) have no place in the model; -m options merge, so keep just those keys.
        PassThroughUnused(o, value, mergeable: true);
    }

    /// <summary>QEMU's size syntax: a number with an optional K/M/G/T/P/E suffix (binary), or bytes with B.</summary>
    internal static ulong ParseSize(ArgvOption o, string text, char defaultUnit)
    {
        var digits = text.TrimEnd('B', 'b', 'i');
        var unit = defaultUnit;
        if (digits.Length > 0 && char.IsLetter(digits[^1]))
        {
            unit = char.ToUpperInvariant(digits[^1]);
            digits = digits[..^1];
        }
        else if (text.Length > digits.Length && text[^1] is 'B' or 'b')
        {
            unit = 'B';
        }
        var shift = unit switch { 'B' => 0, 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, 'P' => 50, 'E' => 60, _ => -1 };
        if (shift < 0 || !ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number == 0)
            throw Invalid(o, "a size such as 512, 512M, 1G or size=219136k");
        if (number > (ulong.MaxValue >> shift))
            throw Invalid(o, "a size that fits in 64 bits");
        return number << shift;
    }

    private void Smp(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), "cpus");
        var cpus = value.TakeInt("cpus");
        var sockets = value.TakeInt("sockets") ?? 1;
        var dies = value.TakeInt("dies") ?? 1;
        var cores = value.TakeInt("cores") ?? 1;
        var threads = value.TakeInt("threads") ?? 1;
        var maxcpus = value.TakeInt("maxcpus");
        _vcpus = cpus ?? sockets * dies * cores * threads;
        if (_vcpus < 1)
            throw Invalid(o, "at least one CPU");
        // The model holds a CPU count only: a real topology or hotpluggable CPUs stay as written.
        var plain = (!value.Has("sockets") || sockets == _vcpus) && dies == 1 && cores == 1 && threads == 1
            && (maxcpus is null || maxcpus == _vcpus) && value.Unused.Count == 0;
        if (!plain)
            PassThrough(o);
    }

    private void Machine(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), "type");
        _machine = value.Take("type");
        if (value.Take("accel") is { } accel)
            _type = accel.Split(':')[0] == "kvm" ? DomainType.Kvm : DomainType.Qemu;
        if (value.TakeBool("acpi") is { } acpi)
            _acpi = acpi;
        if (value.TakeBool("usb") == true)
            AddController(new ControllerDevice { Type = "usb", Index = 0 });
        if (value.Take("memory-backend") is { } backend)
            _memoryBackend = backend;
        PassThroughUnused(o, value, mergeable: true);
    }

    private void Accel(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), "accel");
        _type = value.Take("accel") == "kvm" ? DomainType.Kvm : DomainType.Qemu;
        PassThroughUnused(o, value);
    }

    private void Cpu(ArgvOption o)
    {
        var parts = QemuOptionValue.SplitEscaped(Value(o));
        if (parts.Count > 1)
        {
            PassThrough(o); // CPU features are not in the model
            return;
        }
        _cpu = parts[0] switch
        {
            "host" => new CpuConfig { Mode = "host-passthrough", Check = "none" },
            "max" => new CpuConfig { Mode = "maximum", Check = "none" },
            var model => new CpuConfig { Mode = "custom", Match = "exact", Check = "none", Model = model, ModelFallback = "forbid" },
        };
    }

    private void Boot(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), "order");
        if (value.Take("order") is { } order)
            _bootOrder = ParseBootOrder(o, order);
        // once= applies to the first boot only, which a running QEMU has done; strict= is libvirt's own default.
        value.Ignore("once", "strict");
        PassThroughUnused(o, value, mergeable: true);
    }

    private static char BootLetter(BootDevice device) => device switch
    {
        BootDevice.Floppy => 'a',
        BootDevice.HardDisk => 'c',
        BootDevice.Cdrom => 'd',
        _ => 'n',
    };

    private List<BootDevice> ParseBootOrder(ArgvOption o, string letters)
    {
        var list = new List<BootDevice>();
        foreach (var c in letters)
        {
            var device = c switch
            {
                'a' or 'b' => BootDevice.Floppy,
                'c' => BootDevice.HardDisk,
                'd' => BootDevice.Cdrom,
                'n' or 'o' or 'p' => BootDevice.Network,
                _ => throw Invalid(o, "boot devices among a, c, d, n"),
            };
            if (!list.Contains(device))
                list.Add(device);
        }
        return list;
    }

    private void Rtc(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), null);
        var @base = value.Take("base");
        if (@base is "utc" or "localtime")
            _clockOffset = @base;
        else if (@base is not null)
        {
            PassThrough(o); // a fixed start date has no place in the model
            return;
        }
        value.IgnoreIf("clock", "host");
        PassThroughUnused(o, value);
    }

    private void Overcommit(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), null);
        value.IgnoreIf("mem-lock", "off");
        value.IgnoreIf("cpu-pm", "off");
        PassThroughUnused(o, value);
    }

    private void Global(ArgvOption o)
    {
        var text = Value(o);
        var eq = text.IndexOf('=');
        if (eq > 0 && text[..eq] is "isa-fdc.bootindexA" or "isa-fdc.bootindexB"
            && int.TryParse(text[(eq + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var order))
        {
            _floppyBootIndex[text[eq - 1] - 'A'] = order;
            return;
        }
        PassThrough(o);
    }

    private void Qmp(ArgvOption o)
    {
        var parts = QemuOptionValue.SplitEscaped(Value(o));
        if (parts[0].StartsWith("unix:", StringComparison.Ordinal) && parts.Skip(1).All(p => p is "server" or "nowait" or "server=on" or "wait=off" or "server=yes" or "wait=no"))
            _monitorPath ??= parts[0]["unix:".Length..];
        else
            PassThrough(o); // a TCP or stdio QMP monitor: kept, but not one Virt connects to
    }

    private void Mon(ArgvOption o)
    {
        var value = QemuOptionValue.Parse(o.Name, Value(o), "chardev");
        var id = value.Take("chardev");
        var mode = value.Take("mode") ?? "readline";
        value.Ignore("id");
        value.IgnoreIf("pretty", "on", "off");
        if (mode == "control" && id is not null && _chardevs.TryGetValue(id, out var chardev) && value.Unused.Count == 0)
        {
            var backend = chardev.Value;
            if (backend.Take("backend") == "socket" && backend.Take("path") is { } path && backend.TakeBool("server") == true)
            {
                backend.Ignore("id", "wait");
                if (backend.Unused.Count == 0 && _monitorPath is null)
                {
                    _monitorPath = path;
                    _usedBackends.Add(chardev.Option);
                    return;
                }
            }
        }
        PassThrough(o); // a human monitor, or a monitor on a chardev Virt cannot reach
    }

    private string Value(ArgvOption o) => o.Value ?? throw new VirtException(ErrorCode.XmlError, $"option -{o.Name} needs a value");

    private static VirtException Invalid(ArgvOption o, string expected) =>
        new(ErrorCode.XmlError, $"option -{o.Name}: invalid value '{o.Value}': expected {expected}");

    private void PassThrough(ArgvOption o) => _passthrough[(o.Position, 0)] = o.Tokens;

    /// <summary>
    /// Keeps what the model did not take. A mergeable option (QEMU merges repeated -machine, -m, -boot) keeps
    /// only its unused keys; any other option is kept whole.
    /// </summary>
    private void PassThroughUnused(ArgvOption o, QemuOptionValue value, bool mergeable = false)
    {
        if (value.Unused.Count == 0)
            return;
        if (mergeable && !value.IsJson)
            _passthrough[(o.Position, 0)] = [o.Tokens[0], value.FormatUnused()];
        else
            PassThrough(o);
    }
}
