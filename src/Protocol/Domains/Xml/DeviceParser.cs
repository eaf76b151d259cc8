namespace Virt.Protocol.Domains.Xml;

/// <summary>Parses &lt;devices&gt;: each kind in document order, anything else refused.</summary>
internal sealed partial class DeviceParser(SourceLines lines)
{
    public DeviceSet Parse(XmlNode devices)
    {
        var set = new DeviceSet
        {
            Emulator = devices.ChildText("emulator")?.Trim(),
            Disks = devices.Children("disk").Select(ParseDisk).ToList(),
            Controllers = ParseControllers(devices),
            Interfaces = devices.Children("interface").Select(ParseInterface).ToList(),
            Serials = devices.Children("serial").Select(n => ParseChar(n, CharRole.Serial)).ToList(),
            Consoles = devices.Children("console").Select(n => ParseChar(n, CharRole.Console)).ToList(),
            Channels = devices.Children("channel").Select(n => ParseChar(n, CharRole.Channel)).ToList(),
            Inputs = devices.Children("input").Select(ParseInput).ToList(),
            Graphics = devices.Children("graphics").Select(ParseGraphics).ToList(),
            Sounds = devices.Children("sound").Select(ParseSound).ToList(),
            Audios = devices.Children("audio").Select(ParseAudio).ToList(),
            Videos = devices.Children("video").Select(ParseVideo).ToList(),
            Watchdog = devices.Child("watchdog") is { } w ? ParseWatchdog(w) : null,
            Memballoon = devices.Child("memballoon") is { } m ? ParseMemballoon(m) : null,
            Rngs = devices.Children("rng").Select(ParseRng).ToList(),
            Tpms = devices.Children("tpm").Select(ParseTpm).ToList(),
            Filesystems = devices.Children("filesystem").Select(ParseFilesystem).ToList(),
            Panics = devices.Children("panic").Select(ParsePanic).ToList(),
            Hubs = devices.Children("hub").Select(ParseHub).ToList(),
            Redirdevs = devices.Children("redirdev").Select(ParseRedirdev).ToList(),
        };
        devices.Done();
        return set;
    }

    private static DeviceAddress? ParseAddress(XmlNode parent)
    {
        if (parent.Child("address") is not { } node)
            return null;
        var type = node.RequiredAttr("type");
        var attributes = new List<KeyValuePair<string, string>>(node.Element.Attributes.Count);
        foreach (var a in node.Element.Attributes)
        {
            if (a.IsNamespaceDeclaration || a.Is("type"))
                continue;
            attributes.Add(new KeyValuePair<string, string>(a.LocalName, a.Value));
            node.Attr(a.LocalName);
        }
        node.Done();
        return new DeviceAddress { Type = type, Attributes = attributes };
    }

    private static int? ParseBootOrder(XmlNode parent)
    {
        if (parent.Child("boot") is not { } boot)
            return null;
        var order = boot.IntAttr("order", 1) ?? throw boot.XmlError($"{boot.Place} needs the attribute 'order'", "order");
        boot.Done();
        return order;
    }

    private List<ControllerDevice> ParseControllers(XmlNode devices)
    {
        var parsed = devices.Children("controller").Select(ParseController).ToList();
        var assigned = ControllerIndexes.Assign(parsed);
        return [.. assigned.Select((c, i) => lines.Replaced(parsed[i].Controller, c))];
    }

    private (ControllerDevice Controller, bool IndexWritten) ParseController(XmlNode node)
    {
        var type = node.ChoiceAttr("type", "ide", "fdc", "scsi", "sata", "virtio-serial", "usb", "pci")
            ?? throw node.XmlError($"{node.Place} needs the attribute 'type'", "type");
        var index = node.IntAttr("index", 0);
        var model = node.Attr("model");
        var ports = node.IntAttr("ports", 1, 15);
        if (ports is not null && model is not ("qemu-xhci" or "nec-xhci"))
            throw node.XmlError($"{node.Place}: only an xHCI USB controller (qemu-xhci, nec-xhci) has a number of ports", "ports");
        int? startPort = null;
        if (node.Child("master") is { } master)
        {
            if (ControllerIndexes.DefaultStartPort(model) is null)
                throw master.XmlError($"{master.Place}: only a USB companion controller (ich9-uhci1, 2 or 3) has a master");
            startPort = master.IntAttr("startport", 0) ?? throw master.XmlError($"{master.Place} needs the attribute 'startport'", "startport");
            master.Done();
        }
        var controller = new ControllerDevice
        {
            Type = type,
            Index = index ?? 0,
            Model = model,
            MasterStartPort = startPort ?? (type == "usb" ? ControllerIndexes.DefaultStartPort(model) : null),
            Ports = ports,
            Pci = type == "pci" ? ParsePciTarget(node) : null,
            Address = ParseAddress(node),
        };
        node.Done();
        return (lines.Record(controller, node), index is not null);
    }

    private static PciControllerTarget? ParsePciTarget(XmlNode node)
    {
        string? modelName = null;
        if (node.Child("model") is { } model)
        {
            modelName = model.RequiredAttr("name");
            model.Done();
        }
        if (node.Child("target") is not { } target)
            return modelName is null ? null : new PciControllerTarget { ModelName = modelName };
        var pci = new PciControllerTarget
        {
            ModelName = modelName,
            Chassis = target.IntAttr("chassis", 0, 255),
            Port = HexOrDecimal(target, "port", 255),
            ChassisNr = target.IntAttr("chassisNr", 1, 255),
            BusNr = target.IntAttr("busNr", 1, 254),
            Hotplug = target.OnOffAttr("hotplug"),
        };
        target.Done();
        return pci;
    }

    /// <summary>libvirt writes a root port's port number in hex (port='0x10') and reads either.</summary>
    private static int? HexOrDecimal(XmlNode node, string name, int max)
    {
        if (node.Attr(name) is not { } text)
            return null;
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase);
        return int.TryParse(hex ? text[2..] : text, hex ? System.Globalization.NumberStyles.HexNumber : System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out var value) && value <= max
            ? value
            : throw node.XmlError($"invalid {name} '{text}' in {node.Place}: expected a number from 0 to {max}", name);
    }

    private InputDevice ParseInput(XmlNode node)
    {
        var input = new InputDevice
        {
            Type = node.ChoiceAttr("type", "mouse", "keyboard", "tablet") ?? throw node.XmlError($"{node.Place} needs the attribute 'type'", "type"),
            Bus = node.ChoiceAttr("bus", "ps2", "usb", "virtio"),
            Address = ParseAddress(node),
        };
        node.Done();
        return lines.Record(input, node);
    }

    private static string? ValidTo(XmlNode node)
    {
        var text = node.Attr("passwdValidTo");
        if (text is null)
            return null;
        return GraphicsDevice.ParseValidTo(text) is not null
            ? text
            : throw node.XmlError($"attribute 'passwdValidTo' of {node.Place} must be a UTC time as YYYY-MM-DDTHH:MM:SS, not '{text}'", "passwdValidTo");
    }

    private GraphicsDevice ParseGraphics(XmlNode node)
    {
        var type = node.ChoiceAttr("type", "vnc", "spice") ?? throw node.XmlError($"{node.Place} needs the attribute 'type'", "type");
        var listens = new List<GraphicsListen>();
        foreach (var listen in node.Children("listen"))
        {
            var listenType = listen.ChoiceAttr("type", "address", "socket", "none") ?? throw listen.XmlError($"{listen.Place} needs the attribute 'type'", "type");
            var address = listen.Attr("address");
            var socket = listen.Attr("socket");
            if (address is not null && listenType != "address")
                throw listen.XmlError($"attribute 'address' of {listen.Place} is only valid with type='address'", "address");
            if (socket is not null && listenType != "socket")
                throw listen.XmlError($"attribute 'socket' of {listen.Place} is only valid with type='socket'", "socket");
            listen.Done();
            listens.Add(new GraphicsListen(listenType, address, socket));
        }
        // As libvirt: a listen attribute alone is the same as its <listen type='address'> child, which it then writes too.
        if (listens.Count == 0 && node.Attr("listen") is { } listenAddress)
            listens.Add(new GraphicsListen("address", listenAddress, null));
        var graphics = new GraphicsDevice
        {
            Type = type,
            Port = node.IntAttr("port", -1, 65535),
            TlsPort = type == "spice" ? node.IntAttr("tlsPort", -1, 65535) : null,
            AutoPort = node.YesNoAttr("autoport"),
            Listen = node.Attr("listen"),
            Socket = type == "vnc" ? node.Attr("socket") : null,
            Listens = listens,
            Password = node.Attr("passwd"),
            PasswordValidTo = ValidTo(node),
            Spice = type == "spice" ? ParseSpiceOptions(node) : null,
        };
        node.Done();
        return lines.Record(graphics, node);
    }

    private static SpiceOptions? ParseSpiceOptions(XmlNode node)
    {
        string? Compression(string name, params string[] allowed)
        {
            if (node.Child(name) is not { } child)
                return null;
            var value = child.ChoiceAttr("compression", allowed) ?? throw child.XmlError($"{child.Place} needs the attribute 'compression'", "compression");
            child.Done();
            return value;
        }
        var image = Compression("image", "auto_glz", "auto_lz", "quic", "glz", "lz", "off");
        var jpeg = Compression("jpeg", "auto", "never", "always");
        var zlib = Compression("zlib", "auto", "never", "always");
        bool? playback = null;
        if (node.Child("playback") is { } p)
        {
            playback = p.OnOffAttr("compression") ?? throw p.XmlError($"{p.Place} needs the attribute 'compression'", "compression");
            p.Done();
        }
        string? streaming = null;
        if (node.Child("streaming") is { } st)
        {
            streaming = st.ChoiceAttr("mode", "filter", "all", "off") ?? throw st.XmlError($"{st.Place} needs the attribute 'mode'", "mode");
            st.Done();
        }
        bool? copyPaste = null;
        if (node.Child("clipboard") is { } cb)
        {
            copyPaste = cb.YesNoAttr("copypaste") ?? throw cb.XmlError($"{cb.Place} needs the attribute 'copypaste'", "copypaste");
            cb.Done();
        }
        string? mouse = null;
        if (node.Child("mouse") is { } m)
        {
            mouse = m.ChoiceAttr("mode", "server", "client") ?? throw m.XmlError($"{m.Place} needs the attribute 'mode'", "mode");
            m.Done();
        }
        bool? fileTransfer = null;
        if (node.Child("filetransfer") is { } ft)
        {
            fileTransfer = ft.YesNoAttr("enable") ?? throw ft.XmlError($"{ft.Place} needs the attribute 'enable'", "enable");
            ft.Done();
        }
        var options = new SpiceOptions
        {
            ImageCompression = image,
            JpegCompression = jpeg,
            ZlibCompression = zlib,
            PlaybackCompression = playback,
            StreamingMode = streaming,
            CopyPaste = copyPaste,
            MouseMode = mouse,
            FileTransfer = fileTransfer,
        };
        return options == new SpiceOptions() ? null : options;
    }

    private RedirDevice ParseRedirdev(XmlNode node)
    {
        node.ChoiceAttr("bus", "usb");
        var type = node.ChoiceAttr("type", "spicevmc", "tcp") ?? throw node.XmlError($"{node.Place} needs the attribute 'type'", "type");
        string? host = null, service = null;
        if (type == "tcp")
        {
            var source = node.Child("source") ?? throw node.XmlError($"{node.Place} of type 'tcp' needs a <source host service>");
            source.ChoiceAttr("mode", "connect");
            host = source.RequiredAttr("host");
            service = source.RequiredAttr("service");
            source.Done();
        }
        var redir = new RedirDevice { SourceType = type, Host = host, Service = service, BootOrder = ParseBootOrder(node), Address = ParseAddress(node) };
        node.Done();
        return lines.Record(redir, node);
    }

    private SoundDevice ParseSound(XmlNode node)
    {
        var model = node.ChoiceAttr("model", "ich6", "ich9", "ac97", "es1370", "sb16", "usb")
            ?? throw node.XmlError($"{node.Place} needs the attribute 'model'", "model");
        var codecs = new List<string>();
        foreach (var codec in node.Children("codec"))
        {
            if (model is not ("ich6" or "ich9"))
                throw codec.XmlError($"{codec.Place}: only an HDA sound card (ich6, ich9) has codecs");
            codecs.Add(codec.ChoiceAttr("type", "duplex", "micro", "output") ?? throw codec.XmlError($"{codec.Place} needs the attribute 'type'", "type"));
            codec.Done();
        }
        int? audio = null;
        if (node.Child("audio") is { } a)
        {
            audio = a.IntAttr("id", 1) ?? throw a.XmlError($"{a.Place} needs the attribute 'id'", "id");
            a.Done();
        }
        var sound = new SoundDevice { Model = model, Codecs = codecs, AudioId = audio, Address = ParseAddress(node) };
        node.Done();
        return lines.Record(sound, node);
    }

    private AudioDevice ParseAudio(XmlNode node)
    {
        var audio = new AudioDevice(
            node.IntAttr("id", 1) ?? throw node.XmlError($"{node.Place} needs the attribute 'id'", "id"),
            node.ChoiceAttr("type", "none", "alsa", "oss", "pulseaudio", "pipewire", "sdl", "spice")
                ?? throw node.XmlError($"{node.Place} needs the attribute 'type'", "type"));
        node.Done();
        return lines.Record(audio, node);
    }

    private VideoDevice ParseVideo(XmlNode node)
    {
        var model = node.Child("model") ?? throw node.XmlError($"{node.Place} needs a <model type='...'/> element");
        var video = new VideoDevice
        {
            ModelType = model.ChoiceAttr("type", "cirrus", "vga", "virtio", "qxl", "bochs", "ramfb", "none")
                ?? throw model.XmlError($"{model.Place} needs the attribute 'type'", "type"),
            Ram = model.IntAttr("ram", 0),
            Vram = model.IntAttr("vram", 0),
            Vram64 = model.IntAttr("vram64", 0),
            VgaMem = model.IntAttr("vgamem", 0),
            Heads = model.IntAttr("heads", 1),
            Primary = model.YesNoAttr("primary"),
            Address = ParseAddress(node),
        };
        model.Done();
        node.Done();
        return lines.Record(video, node);
    }

    private WatchdogDevice ParseWatchdog(XmlNode node)
    {
        var watchdog = new WatchdogDevice
        {
            Model = node.ChoiceAttr("model", "i6300esb", "ib700", "itco") ?? throw node.XmlError($"{node.Place} needs the attribute 'model'", "model"),
            Action = node.ChoiceAttr("action", "reset", "shutdown", "poweroff", "pause", "none", "dump", "inject-nmi"),
            Address = ParseAddress(node),
        };
        node.Done();
        return lines.Record(watchdog, node);
    }

    private HubDevice ParseHub(XmlNode node)
    {
        _ = node.ChoiceAttr("type", "usb") ?? throw node.XmlError($"{node.Place} needs the attribute 'type'", "type");
        var hub = new HubDevice { Address = ParseAddress(node) };
        node.Done();
        return lines.Record(hub, node);
    }

    private PanicDevice ParsePanic(XmlNode node)
    {
        var panic = new PanicDevice
        {
            Model = node.ChoiceAttr("model", "isa", "pvpanic", "hyperv", "pseries", "s390"),
            Address = ParseAddress(node),
        };
        node.Done();
        return lines.Record(panic, node);
    }

    private MemballoonDevice ParseMemballoon(XmlNode node)
    {
        var balloon = new MemballoonDevice
        {
            Model = node.ChoiceAttr("model", "virtio", "none") ?? throw node.XmlError($"{node.Place} needs the attribute 'model'", "model"),
            StatsPeriod = node.Child("stats") is { } stats ? StatsPeriod(stats) : null,
            AutoDeflate = node.OnOffAttr("autodeflate"),
            FreePageReporting = node.OnOffAttr("freePageReporting"),
            Address = ParseAddress(node),
        };
        node.Done();
        return lines.Record(balloon, node);

        static int StatsPeriod(XmlNode stats)
        {
            var period = stats.IntAttr("period", 0) ?? throw stats.XmlError($"{stats.Place} needs the attribute 'period'", "period");
            stats.Done();
            return period;
        }
    }

    private FilesystemDevice ParseFilesystem(XmlNode node)
    {
        _ = node.ChoiceAttr("type", "mount"); // mount is the default and the one a directory can be
        var driver = node.Child("driver");
        var source = node.Child("source") ?? throw node.XmlError($"{node.Place} needs a <source dir='...'/> element");
        var target = node.Child("target") ?? throw node.XmlError($"{node.Place} needs a <target dir='TAG'/> element");
        var fs = new FilesystemDevice
        {
            AccessMode = node.ChoiceAttr("accessmode", "passthrough", "mapped", "squash") ?? "passthrough",
            DriverType = driver?.ChoiceAttr("type", "path", "virtiofs"),
            SourceDir = source.RequiredAttr("dir"),
            TargetDir = target.RequiredAttr("dir"),
            ReadOnly = node.Child("readonly") is { } ro && Present(ro),
            FileMode = Mode(node, "fmode"),
            DirectoryMode = Mode(node, "dmode"),
            Multidevs = node.ChoiceAttr("multidevs", "default", "remap", "forbid", "warn"),
            Address = ParseAddress(node),
        };
        driver?.Done();
        source.Done();
        target.Done();
        node.Done();
        return lines.Record(fs, node);

        static bool Present(XmlNode flag)
        {
            flag.Done();
            return true;
        }

        static string? Mode(XmlNode node, string name) =>
            node.Attr(name) is not { } text ? null
            : text.Length is > 0 and <= 4 && text.All(c => c is >= '0' and <= '7') && Convert.ToInt32(text, 8) <= 0x1ff ? text
            : throw node.XmlError($"attribute '{name}' of {node.Place} must be an octal mode up to 0777, not '{text}'", name);
    }

    private TpmDevice ParseTpm(XmlNode node)
    {
        var model = node.ChoiceAttr("model", "tpm-tis", "tpm-crb") ?? "tpm-tis"; // libvirt's default on x86
        var backend = node.Child("backend") ?? throw node.XmlError($"{node.Place} needs a <backend type='emulator'/> element");
        var type = backend.ChoiceAttr("type", "emulator") ?? throw backend.XmlError($"{backend.Place} needs the attribute 'type'", "type");
        var tpm = new TpmDevice
        {
            Model = model,
            BackendType = type,
            Version = backend.ChoiceAttr("version", "2.0", "1.2"),
            PersistentState = backend.YesNoAttr("persistent_state"),
        };
        backend.Done();
        node.Done();
        return lines.Record(tpm, node);
    }

    private RngDevice ParseRng(XmlNode node)
    {
        var model = node.ChoiceAttr("model", "virtio") ?? throw node.XmlError($"{node.Place} needs the attribute 'model'", "model");
        var backend = node.Child("backend") ?? throw node.XmlError($"{node.Place} needs a <backend> element");
        var backendModel = backend.ChoiceAttr("model", "random", "builtin") ?? throw backend.XmlError($"{backend.Place} needs the attribute 'model'", "model");
        var path = backend.TextDone()?.Trim();
        if (backendModel == "builtin" && !string.IsNullOrEmpty(path))
            throw backend.XmlError($"{backend.Place} with model 'builtin' takes no device path");
        var rate = node.Child("rate");
        var rng = new RngDevice
        {
            Model = model,
            BackendModel = backendModel,
            BackendPath = string.IsNullOrEmpty(path) ? null : path,
            RateBytes = rate is null ? null : rate.IntAttr("bytes", 1) ?? throw rate.XmlError($"{rate.Place} needs the attribute 'bytes'", "bytes"),
            RatePeriod = rate?.IntAttr("period", 1),
            Address = ParseAddress(node),
        };
        rate?.Done();
        node.Done();
        return lines.Record(rng, node);
    }
}
