using System.Globalization;

namespace Virt.Protocol.Domains.Xml;

/// <summary>Writes a <see cref="DomainDefinition"/> as libvirt domain XML, in libvirt's element order.</summary>
internal static class DomainFormatter
{
    public static string Format(DomainDefinition d, int? runningId = null)
    {
        var x = new XmlBuilder();
        x.Open("domain").Attr("type", XmlNames.DomainType.Name(d.Type)).Attr("id", runningId);
        if (d.QemuCommandLine.Count > 0)
            x.Attr("xmlns:qemu", DomainParser.QemuNamespace);
        x.Text("name", d.Name);
        x.Text("uuid", d.Uuid.ToString("D"));
        x.Text("title", d.Title);
        x.Text("description", d.Description);
        if (d.Metadata.Count > 0)
        {
            x.Open("metadata");
            foreach (var fragment in d.Metadata)
                FormatFragment(x, fragment, parentNamespace: null);
            x.End("metadata");
        }
        x.Text("memory", d.MemoryKiB.ToString(CultureInfo.InvariantCulture), ("unit", "KiB"));
        x.Text("currentMemory", (d.CurrentMemoryKiB == 0 ? d.MemoryKiB : d.CurrentMemoryKiB).ToString(CultureInfo.InvariantCulture), ("unit", "KiB"));
        x.Text("vcpu", d.Vcpu.Count.ToString(CultureInfo.InvariantCulture), ("placement", d.Vcpu.Placement), ("cpuset", d.Vcpu.CpuSet));
        FormatOs(x, d.Os);
        FormatFeatures(x, d.Features);
        FormatCpu(x, d.Cpu);
        FormatClock(x, d.Clock);
        x.Text("on_poweroff", XmlNames.Lifecycle.Name(d.OnPoweroff));
        x.Text("on_reboot", XmlNames.Lifecycle.Name(d.OnReboot));
        x.Text("on_crash", XmlNames.Lifecycle.Name(d.OnCrash));
        FormatPm(x, d.Pm);
        DeviceFormatter.Format(x, d.Devices);
        foreach (var label in d.SecurityLabels)
        {
            x.Open("seclabel").Attr("type", label.Type).Attr("model", label.Model)
                .Attr("relabel", label.Relabel is { } relabel ? (relabel ? "yes" : "no") : null);
            x.Text("label", label.Label);
            x.Text("imagelabel", label.ImageLabel);
            x.Text("baselabel", label.BaseLabel);
            x.End("seclabel");
        }
        if (d.QemuCommandLine.Count > 0)
        {
            x.Open("qemu:commandline");
            foreach (var arg in d.QemuCommandLine)
                x.Leaf("qemu:arg", ("value", arg));
            x.End("qemu:commandline");
        }
        x.End("domain");
        return x.ToString();
    }

    /// <summary>A kept element with its prefix; its namespace is declared where it changes.</summary>
    private static void FormatFragment(XmlBuilder x, XmlFragment f, string? parentNamespace)
    {
        var name = f.Prefix.Length > 0 ? $"{f.Prefix}:{f.Name}" : f.Name;
        if (f.Text is not null && f.Children.Count == 0)
        {
            var attributes = new List<(string, string?)>();
            if (f.Namespace != parentNamespace)
                attributes.Add((f.Prefix.Length > 0 ? $"xmlns:{f.Prefix}" : "xmlns", f.Namespace));
            attributes.AddRange(f.Attributes.Select(a => ((a.Prefix.Length > 0 ? $"{a.Prefix}:{a.Name}" : a.Name), (string?)a.Value)));
            x.Text(name, f.Text, [.. attributes]);
            return;
        }
        x.Open(name);
        if (f.Namespace != parentNamespace)
            x.Attr(f.Prefix.Length > 0 ? $"xmlns:{f.Prefix}" : "xmlns", f.Namespace);
        foreach (var a in f.Attributes)
            x.Attr(a.Prefix.Length > 0 ? $"{a.Prefix}:{a.Name}" : a.Name, a.Value);
        foreach (var child in f.Children)
            FormatFragment(x, child, f.Namespace);
        x.End(name);
    }

    private static void FormatOs(XmlBuilder x, OsConfig os)
    {
        x.Open("os").Attr("firmware", os.Firmware);
        x.Text("type", os.Type, ("arch", os.Arch), ("machine", os.Machine));
        if (os.FirmwareFeatures.Count > 0)
        {
            x.Open("firmware");
            foreach (var (name, enabled) in os.FirmwareFeatures)
                x.Leaf("feature", ("enabled", enabled ? "yes" : "no"), ("name", name));
            x.End("firmware");
        }
        if (os.Loader is { } l)
        {
            var attributes = new (string, string?)[] { ("readonly", Bool(l.ReadOnly)), ("secure", Bool(l.Secure)), ("type", l.Type), ("format", l.Format) };
            if (l.Path is null)
                x.Leaf("loader", attributes);
            else
                x.Text("loader", l.Path, attributes);
        }
        if (os.Nvram is { } n)
        {
            var attributes = new (string, string?)[] { ("template", n.Template), ("templateFormat", n.TemplateFormat), ("format", n.Format) };
            if (n.Path is null)
                x.Leaf("nvram", attributes);
            else
                x.Text("nvram", n.Path, attributes);
        }
        x.Text("kernel", os.Kernel);
        x.Text("initrd", os.Initrd);
        x.Text("cmdline", os.Cmdline);
        foreach (var boot in os.BootDevices)
            x.Leaf("boot", ("dev", XmlNames.Boot.Name(boot)));
        if (os.BootMenu is { } menu)
            x.Leaf("bootmenu", ("enable", menu ? "yes" : "no"), ("timeout", os.BootMenuTimeout?.ToString(CultureInfo.InvariantCulture)));
        x.End("os");
    }

    private static string? Bool(bool? value) => value is { } b ? (b ? "yes" : "no") : null;

    private static void FormatFeatures(XmlBuilder x, FeatureSet f)
    {
        if (!f.Acpi && !f.Apic && !f.Pae && f.Vmport is null && f.Smm is null && f.VmCoreInfo is null && f.Hyperv is null)
            return;
        x.Open("features");
        if (f.Acpi)
            x.Leaf("acpi");
        if (f.Apic)
            x.Leaf("apic");
        if (f.Pae)
            x.Leaf("pae");
        if (f.Hyperv is { } hv)
        {
            x.Open("hyperv").Attr("mode", hv.Mode);
            foreach (var (name, on) in hv.States)
            {
                x.Open(name).Attr("state", on ? "on" : "off");
                if (name == "spinlocks")
                    x.Attr("retries", hv.SpinlockRetries);
                if (name == "vendor_id")
                    x.Attr("value", hv.VendorId);
                if (name == "stimer" && hv.StimerDirect is { } direct)
                    x.Leaf("direct", ("state", direct ? "on" : "off"));
                x.End(name);
            }
            x.End("hyperv");
        }
        if (f.Vmport is { } vmport)
            x.Leaf("vmport", ("state", vmport ? "on" : "off"));
        if (f.Smm is { } smm)
            x.Leaf("smm", ("state", smm ? "on" : "off"));
        if (f.VmCoreInfo is { } vmcoreinfo)
            x.Leaf("vmcoreinfo", ("state", vmcoreinfo ? "on" : "off"));
        x.End("features");
    }

    private static void FormatClock(XmlBuilder x, ClockConfig clock)
    {
        if (clock.Timers.Count == 0)
        {
            x.Leaf("clock", ("offset", clock.Offset));
            return;
        }
        x.Open("clock").Attr("offset", clock.Offset);
        foreach (var t in clock.Timers)
        {
            x.Leaf("timer", ("name", t.Name), ("present", t.Present is { } present ? (present ? "yes" : "no") : null), ("tickpolicy", t.TickPolicy),
                ("track", t.Track), ("frequency", t.Frequency?.ToString(CultureInfo.InvariantCulture)));
        }
        x.End("clock");
    }

    private static void FormatPm(XmlBuilder x, PowerManagement pm)
    {
        if (pm.SuspendToMem is null && pm.SuspendToDisk is null)
            return;
        x.Open("pm");
        if (pm.SuspendToMem is { } mem)
            x.Leaf("suspend-to-mem", ("enabled", mem ? "yes" : "no"));
        if (pm.SuspendToDisk is { } disk)
            x.Leaf("suspend-to-disk", ("enabled", disk ? "yes" : "no"));
        x.End("pm");
    }

    private static void FormatCpu(XmlBuilder x, CpuConfig? cpu)
    {
        if (cpu is null)
            return;
        x.Open("cpu").Attr("mode", cpu.Mode).Attr("match", cpu.Match).Attr("check", cpu.Check).Attr("migratable", cpu.Migratable, "on", "off");
        x.Text("model", cpu.Model, ("fallback", cpu.ModelFallback));
        if (cpu.Topology is { } t)
        {
            x.Leaf("topology", ("sockets", t.Sockets.ToString(CultureInfo.InvariantCulture)), ("dies", t.Dies.ToString(CultureInfo.InvariantCulture)),
                ("clusters", t.Clusters.ToString(CultureInfo.InvariantCulture)), ("cores", t.Cores.ToString(CultureInfo.InvariantCulture)),
                ("threads", t.Threads.ToString(CultureInfo.InvariantCulture)));
        }
        x.End("cpu");
    }
}
