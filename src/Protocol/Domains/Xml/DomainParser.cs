using System.Globalization;
using System.Text;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains.Xml;

/// <summary>Turns a loaded &lt;domain&gt; document into a <see cref="DomainDefinition"/>, refusing whatever it cannot represent.</summary>
internal sealed class DomainParser
{
    public const string QemuNamespace = "http://libvirt.org/schemas/domain/qemu/1.0";

    private readonly SourceLines _lines = new();

    public SourceLines Lines => _lines;

    /// <summary>Whether the document named its UUID; without one the parse made up a random one.</summary>
    public bool UuidWritten { get; private set; }

    public DomainDefinition Parse(SourceElement root)
    {
        var domain = new XmlNode(root);
        if (!root.Is("domain"))
            throw domain.XmlError($"expected the root element <domain>, found <{root.LocalName}> at line {domain.Line}");
        var type = domain.EnumAttr("type", XmlNames.DomainType) ?? throw domain.XmlError($"{domain.Place} needs the attribute 'type' (qemu or kvm)", "type");
        domain.Attr("id"); // the id of a running domain: live state, not configuration
        foreach (var child in root.Children)
            _lines.RecordElement(child.LocalName, child.Line);
        if (root.FirstChild("os")?.FirstChild("type") is { } osType)
            _lines.RecordElement("type", osType.Line);

        var memory = domain.Child("memory") is { } m ? ParseMemory(m) : 0;
        var current = domain.Child("currentMemory") is { } cm ? ParseMemory(cm) : 0;
        var uuid = domain.Child("uuid");
        UuidWritten = uuid is not null;
        var definition = new DomainDefinition
        {
            Type = type,
            Name = domain.ChildText("name") ?? "",
            Uuid = uuid is { } u ? ParseUuid(u) : Guid.NewGuid(),
            Title = domain.ChildText("title"),
            Description = domain.ChildText("description"),
            Metadata = domain.Child("metadata") is { } md ? ParseMetadata(md) : [],
            MemoryKiB = memory,
            // libvirt treats a missing, zero or too large current memory as the maximum.
            CurrentMemoryKiB = current == 0 || current > memory ? memory : current,
            Vcpu = domain.Child("vcpu") is { } v ? ParseVcpu(v) : new VcpuConfig(),
            Os = domain.Child("os") is { } os ? ParseOs(os) : throw domain.XmlError("<domain> needs an <os> element with <type>hvm</type>"),
            Cpu = domain.Child("cpu") is { } cpu ? ParseCpu(cpu) : null,
            Features = domain.Child("features") is { } f ? ParseFeatures(f) : new FeatureSet(),
            Clock = domain.Child("clock") is { } c ? ParseClock(c) : new ClockConfig(),
            OnPoweroff = ParseLifecycle(domain, "on_poweroff", LifecycleAction.Destroy, crash: false),
            OnReboot = ParseLifecycle(domain, "on_reboot", LifecycleAction.Restart, crash: false),
            OnCrash = ParseLifecycle(domain, "on_crash", LifecycleAction.Destroy, crash: true),
            Pm = domain.Child("pm") is { } pm ? ParsePm(pm) : new PowerManagement(),
            Devices = domain.Child("devices") is { } d ? new DeviceParser(_lines).Parse(d) : new DeviceSet(),
            SecurityLabels = domain.Children("seclabel").Select(ParseSecurityLabel).ToList(),
            QemuCommandLine = ParseQemuCommandLine(domain),
        };
        domain.Done();
        return definition;
    }

    /// <summary>
    /// type='none' and a dynamic DAC label are accepted: they ask for what Virt does (QEMU as the daemon's user). A static
    /// label (QEMU as another user) or an SELinux or AppArmor label would confine the guest in a way Virt cannot, so
    /// they are refused rather than dropped.
    /// </summary>
    private static SecurityLabel ParseSecurityLabel(XmlNode node)
    {
        var model = node.ChoiceAttr("model", "dac", "selinux", "apparmor", "none");
        var type = node.ChoiceAttr("type", "dynamic", "static", "none") ?? (model == "none" ? "none" : "dynamic");
        var label = new SecurityLabel
        {
            Type = type,
            Model = model,
            Relabel = node.YesNoAttr("relabel"),
            Label = node.ChildText("label"),
            ImageLabel = node.ChildText("imagelabel"),
            BaseLabel = node.ChildText("baselabel"),
        };
        node.Done();
        if (type != "none" && model is "selinux" or "apparmor")
            throw node.Unsupported($"{node.Place}: Virt has no {model} security driver; QEMU runs as the daemon's own user (use <seclabel type='none'/> or model='dac')");
        if (type == "static")
            throw node.Unsupported($"{node.Place}: a static label (QEMU as user '{label.Label}') is not supported; QEMU runs as the daemon's own user (use type='dynamic' or type='none')");
        return label;
    }

    /// <summary>libvirt keeps each namespaced child of &lt;metadata&gt; as written and never reads it.</summary>
    private static List<XmlFragment> ParseMetadata(XmlNode node)
    {
        var fragments = new List<XmlFragment>();
        var children = node.Element.Children;
        for (var i = 0; i < children.Count; i++)
        {
            node.MarkRead(i);
            if (children[i].Namespace.Length == 0)
                throw new XmlNode(children[i]).XmlError($"element <{children[i].LocalName}> at line {children[i].Line} in <metadata> needs a namespace of its own");
            fragments.Add(Fragment(children[i]));
        }
        node.Done();
        return fragments;
    }

    private static XmlFragment Fragment(SourceElement e) => new()
    {
        Name = e.LocalName,
        Prefix = e.Prefix,
        Namespace = e.Namespace,
        Attributes = [.. e.Attributes.Where(a => !a.IsNamespaceDeclaration).Select(a => new XmlFragmentAttribute(a.LocalName, a.Prefix, a.Namespace, a.Value))],
        Children = [.. e.Children.Select(Fragment)],
        Text = e.Children.Count == 0 && !string.IsNullOrWhiteSpace(e.Text) ? e.Text : null,
    };

    private static ulong ParseMemory(XmlNode node)
    {
        var unit = node.Attr("unit");
        var text = node.TextDone()?.Trim() ?? "";
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw node.XmlError($"invalid memory size '{text}' in {node.Place}: expected a non-negative integer");
        if (MemoryUnits.BytesPerUnit(unit) is null)
            throw node.XmlError($"unknown unit '{unit}' in {node.Place}: expected one of {MemoryUnits.Allowed}", "unit");
        return MemoryUnits.ToKiB(value, unit) ?? throw node.XmlError($"memory size '{text}{unit}' in {node.Place} is too large");
    }

    /// <summary>libvirt accepts 32 hex digits with dashes anywhere between them.</summary>
    private static Guid ParseUuid(XmlNode node)
    {
        var text = node.TextDone()?.Trim() ?? "";
        var hex = new StringBuilder(32);
        foreach (var ch in text)
        {
            if (ch == '-')
                continue;
            if (!char.IsAsciiHexDigit(ch) || hex.Length == 32)
            {
                hex.Clear();
                break;
            }
            hex.Append(ch);
        }
        if (hex.Length != 32)
            throw node.XmlError($"malformed UUID '{text}' in {node.Place}: expected 32 hexadecimal digits such as c7a5fdbd-edaf-9455-926a-d65c16db1809");
        return Guid.ParseExact(hex.ToString(), "N");
    }

    private static VcpuConfig ParseVcpu(XmlNode node)
    {
        var placement = node.ChoiceAttr("placement", "static", "auto");
        var cpuset = node.Attr("cpuset");
        var text = node.TextDone()?.Trim() ?? "";
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            throw node.XmlError($"invalid vCPU count '{text}' in {node.Place}: expected a positive integer");
        return new VcpuConfig { Count = count, Placement = placement, CpuSet = cpuset };
    }

    private static OsConfig ParseOs(XmlNode node)
    {
        var type = node.Child("type") ?? throw node.XmlError($"{node.Place} needs a <type> element");
        var arch = type.Attr("arch");
        var machine = type.Attr("machine");
        var osType = type.TextDone()?.Trim() ?? "";
        if (osType != "hvm")
            throw type.Unsupported($"OS type '{osType}' in {type.Place} is not supported: expected hvm");
        var boots = new List<BootDevice>();
        foreach (var boot in node.Children("boot"))
        {
            boots.Add(boot.EnumAttr("dev", XmlNames.Boot) ?? throw boot.XmlError($"{boot.Place} needs the attribute 'dev'", "dev"));
            boot.Done();
        }
        bool? bootMenu = null;
        int? bootMenuTimeout = null;
        if (node.Child("bootmenu") is { } menu)
        {
            bootMenu = menu.YesNoAttr("enable") ?? throw menu.XmlError($"{menu.Place} needs the attribute 'enable'", "enable");
            bootMenuTimeout = menu.IntAttr("timeout", 0, 65535);
            menu.Done();
        }
        var firmware = node.ChoiceAttr("firmware", "efi", "bios");
        var features = new List<KeyValuePair<string, bool>>();
        if (node.Child("firmware") is { } fw)
        {
            foreach (var feature in fw.Children("feature"))
            {
                var name = feature.ChoiceAttr("name", "secure-boot", "enrolled-keys") ?? throw feature.XmlError($"{feature.Place} needs the attribute 'name'", "name");
                features.Add(new(name, feature.YesNoAttr("enabled") ?? throw feature.XmlError($"{feature.Place} needs the attribute 'enabled'", "enabled")));
                feature.Done();
            }
            fw.Done();
        }
        LoaderConfig? loader = null;
        if (node.Child("loader") is { } l)
        {
            loader = new LoaderConfig
            {
                ReadOnly = l.YesNoAttr("readonly"),
                Secure = l.YesNoAttr("secure"),
                Type = l.ChoiceAttr("type", "pflash", "rom"),
                Format = l.ChoiceAttr("format", "raw"),
                Path = l.TextDone()?.Trim() is { Length: > 0 } path ? path : null,
            };
        }
        NvramConfig? nvram = null;
        if (node.Child("nvram") is { } n)
        {
            nvram = new NvramConfig
            {
                Template = n.Attr("template"),
                TemplateFormat = n.ChoiceAttr("templateFormat", "raw"),
                Format = n.ChoiceAttr("format", "raw"),
                Path = n.TextDone()?.Trim() is { Length: > 0 } path ? path : null,
            };
        }
        var os = new OsConfig
        {
            Firmware = firmware,
            FirmwareFeatures = features,
            Loader = loader,
            Nvram = nvram,
            Type = osType,
            Arch = arch,
            Machine = machine,
            BootDevices = boots,
            BootMenu = bootMenu,
            BootMenuTimeout = bootMenuTimeout,
            Kernel = node.ChildText("kernel"),
            Initrd = node.ChildText("initrd"),
            Cmdline = node.ChildText("cmdline"),
        };
        node.Done();
        return os;
    }

    private static CpuConfig ParseCpu(XmlNode node)
    {
        var cpu = new CpuConfig
        {
            Mode = node.ChoiceAttr("mode", "custom", "host-model", "host-passthrough", "maximum"),
            Match = node.ChoiceAttr("match", "minimum", "exact", "strict"),
            Check = node.ChoiceAttr("check", "none", "partial", "full"),
            Migratable = node.OnOffAttr("migratable"),
        };
        if (node.Child("model") is { } model)
        {
            var fallback = model.ChoiceAttr("fallback", "allow", "forbid");
            cpu = cpu with { Model = model.TextDone()?.Trim(), ModelFallback = fallback };
        }
        if (node.Child("topology") is { } topology)
        {
            int Count(string name) => topology.IntAttr(name, 1, 4096) ?? 1;
            cpu = cpu with { Topology = new CpuTopology(Count("sockets"), Count("dies"), Count("clusters"), Count("cores"), Count("threads")) };
            topology.Done();
        }
        node.Done();
        return cpu;
    }

    private static FeatureSet ParseFeatures(XmlNode node)
    {
        bool Flag(string name)
        {
            if (node.Child(name) is not { } child)
                return false;
            child.Done();
            if (child.Element.HasNodes)
                throw child.Unsupported($"{child.Place} must be empty");
            return true;
        }
        bool? State(string name)
        {
            if (node.Child(name) is not { } child)
                return null;
            var state = child.OnOffAttr("state");
            child.Done();
            return state ?? true;
        }
        var features = new FeatureSet
        {
            Acpi = Flag("acpi"),
            Apic = Flag("apic"),
            Pae = Flag("pae"),
            Vmport = State("vmport"),
            Smm = State("smm"),
            VmCoreInfo = State("vmcoreinfo"),
            Hyperv = node.Child("hyperv") is { } hyperv ? ParseHyperv(hyperv) : null,
        };
        node.Done();
        return features;
    }

    private static HypervFeatures ParseHyperv(XmlNode node)
    {
        var mode = node.ChoiceAttr("mode", "custom", "passthrough");
        var states = new List<KeyValuePair<string, bool>>();
        int? retries = null;
        string? vendor = null;
        bool? direct = null;
        foreach (var name in HypervFeatures.Known)
        {
            if (node.Child(name) is not { } feature)
                continue;
            var on = feature.OnOffAttr("state") ?? throw feature.XmlError($"{feature.Place} needs the attribute 'state'", "state");
            states.Add(new(name, on));
            switch (name)
            {
                case "spinlocks" when on:
                    retries = feature.IntAttr("retries", 4095, int.MaxValue) ?? throw feature.XmlError($"{feature.Place} needs the attribute 'retries' (at least 4095)", "retries");
                    break;
                case "vendor_id" when on:
                    vendor = feature.RequiredAttr("value");
                    if (vendor.Length is 0 or > 12 || !vendor.All(char.IsAsciiLetterOrDigit))
                        throw feature.XmlError($"{feature.Place}: the vendor id '{vendor}' must be 1 to 12 letters or digits", "value");
                    break;
                case "stimer" when feature.Child("direct") is { } d:
                    direct = d.OnOffAttr("state") ?? throw d.XmlError($"{d.Place} needs the attribute 'state'", "state");
                    d.Done();
                    break;
            }
            feature.Done();
        }
        node.Done();
        return new HypervFeatures { Mode = mode, States = states, SpinlockRetries = retries, VendorId = vendor, StimerDirect = direct };
    }

    private static ClockConfig ParseClock(XmlNode node)
    {
        var offset = node.ChoiceAttr("offset", "utc", "localtime") ?? "utc";
        var timers = new List<ClockTimer>();
        foreach (var timer in node.Children("timer"))
        {
            var parsed = ParseTimer(timer);
            if (timers.Any(t => t.Name == parsed.Name))
                throw timer.XmlError($"{timer.Place}: more than one <timer name='{parsed.Name}'>", "name");
            timers.Add(parsed);
        }
        node.Done();
        return new ClockConfig { Offset = offset, Timers = timers };
    }

    private static ClockTimer ParseTimer(XmlNode node)
    {
        var name = node.ChoiceAttr("name", "rtc", "pit", "hpet", "kvmclock", "hypervclock", "tsc", "platform", "armvtimer")
            ?? throw node.XmlError($"{node.Place} needs the attribute 'name'", "name");
        if (name is "platform" or "armvtimer")
            throw node.Unsupported($"timer '{name}' in {node.Place} is not supported on x86 QEMU", "name");
        var timer = new ClockTimer
        {
            Name = name,
            Present = node.YesNoAttr("present"),
            TickPolicy = node.ChoiceAttr("tickpolicy", "delay", "catchup", "merge", "discard"),
            Track = node.ChoiceAttr("track", "boot", "guest", "wall", "realtime"),
            Frequency = node.Attr("frequency") is { } frequency ? ParseFrequency(node, frequency) : null,
        };
        if (timer.Track is not null && name != "rtc")
            throw node.XmlError($"{node.Place}: only the rtc timer has a 'track'", "track");
        if (timer.Frequency is not null && name != "tsc")
            throw node.XmlError($"{node.Place}: only the tsc timer has a 'frequency'", "frequency");
        if (node.Attr("mode") is { } mode)
            throw node.Unsupported($"<timer name='{name}' mode='{mode}'> is for Xen, not QEMU", "mode");
        if (node.Child("catchup") is { } catchup)
            throw catchup.Unsupported($"{catchup.Place} (threshold, slew, limit) is for Xen, not QEMU");
        node.Done();
        return timer;
    }

    private static ulong ParseFrequency(XmlNode node, string text) =>
        ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var hz) && hz > 0
            ? hz
            : throw node.XmlError($"invalid frequency '{text}' in {node.Place}: expected a positive number of Hz", "frequency");

    private static PowerManagement ParsePm(XmlNode node)
    {
        bool? Enabled(string name)
        {
            if (node.Child(name) is not { } child)
                return null;
            var enabled = child.YesNoAttr("enabled");
            child.Done();
            return enabled;
        }
        var pm = new PowerManagement { SuspendToMem = Enabled("suspend-to-mem"), SuspendToDisk = Enabled("suspend-to-disk") };
        node.Done();
        return pm;
    }

    private static LifecycleAction ParseLifecycle(XmlNode domain, string name, LifecycleAction fallback, bool crash)
    {
        if (domain.Child(name) is not { } node)
            return fallback;
        var text = node.TextDone()?.Trim() ?? "";
        if (!XmlNames.Lifecycle.TryParse(text, out var action) || (!crash && action is LifecycleAction.CoredumpDestroy or LifecycleAction.CoredumpRestart))
        {
            var allowed = crash ? XmlNames.Lifecycle.Allowed : "destroy, restart, preserve, rename-restart";
            throw node.Unsupported($"unsupported action '{text}' in {node.Place}: expected one of {allowed}");
        }
        return action;
    }

    private static IReadOnlyList<string> ParseQemuCommandLine(XmlNode domain)
    {
        var args = new List<string>();
        var children = domain.Element.Children;
        for (var i = 0; i < children.Count; i++)
        {
            var element = children[i];
            if (element.Namespace.Length == 0)
                continue;
            // Namespaced children are read here, so Done() accepts them.
            domain.MarkRead(i);
            var node = new XmlNode(element);
            if (element.Namespace != QemuNamespace || element.LocalName != "commandline")
                throw node.Unsupported($"element <{element.LocalName}> at line {node.Line} in namespace '{element.Namespace}' is not supported; only qemu:commandline is");
            if (args.Count > 0)
                throw node.XmlError($"duplicate <qemu:commandline> at line {node.Line}");
            foreach (var arg in element.Children)
            {
                var argNode = new XmlNode(arg);
                if (arg.Namespace != QemuNamespace || arg.LocalName != "arg")
                    throw argNode.Unsupported($"element <{arg.LocalName}> at line {argNode.Line} in <qemu:commandline> is not supported; only qemu:arg is");
                args.Add(argNode.RequiredAttr("value"));
                argNode.Done();
            }
        }
        return args;
    }
}
