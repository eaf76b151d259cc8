using System.Globalization;
using System.Text;
using Virt.Protocol.Domains.Xml;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains;

/// <summary>Checks a definition as a whole, the rules libvirt applies after parsing; <see cref="DomainXml.Parse(string)"/> runs it.</summary>
public static class DomainValidator
{
    /// <summary>The guest architectures the x86 QEMU emulators Virt drives can run.</summary>
    public static IReadOnlyList<string> SupportedArchitectures { get; } = ["x86_64", "i686"];

    /// <summary>libvirt's CPU mask limit: cpuset entries go from 0 to 8191.</summary>
    private const int CpuMaskLength = 8192;

    public static void Validate(DomainDefinition definition) => Validate(definition, SourceLines.None);

    internal static void Validate(DomainDefinition d, SourceLines lines)
    {
        ValidateName(d.Name, lines.LineOfElement("name"));
        if (d.Title is { } title && title.Contains('\n'))
            throw Xml("title can't contain newlines", "title", line: lines.LineOfElement("title"));
        if (d.MemoryKiB == 0)
            throw Xml("Memory size must be specified via <memory> or in the <numa> configuration", "memory", line: lines.LineOfElement("memory"));
        if (d.Os.Arch is { } arch && !SupportedArchitectures.Contains(arch))
            throw new DomainXmlException(ErrorCode.ConfigUnsupported,
                $"unsupported configuration: Emulator '{d.Devices.Emulator ?? "qemu-system-x86_64"}' does not support arch '{arch}': expected {string.Join(" or ", SupportedArchitectures)}{At("type", lines.LineOfElement("type"))}",
                lines.LineOfElement("type"), "type", "arch");
        if (d.Vcpu.CpuSet is { } cpuset && !IsValidCpuSet(cpuset))
            throw Xml($"Invalid value of 'cpuset': '{cpuset}': expected CPU numbers 0-{CpuMaskLength - 1}, ranges N-M and exclusions ^N, comma-separated, selecting at least one CPU", "vcpu", "cpuset", lines.LineOfElement("vcpu"));

        if (d.Cpu?.Topology is { } topology && topology.Total != d.Vcpu.Count)
            throw Xml($"CPU topology doesn't match maximum vcpu count: {topology.Sockets} sockets x {topology.Dies} dies x {topology.Clusters} clusters x {topology.Cores} cores x {topology.Threads} threads is {topology.Total}, not {d.Vcpu.Count}",
                "cpu", line: lines.LineOfElement("cpu"));

        ValidateDisks(d.Devices.Disks, lines);
        ValidateBootOrder(d, lines);
        ValidateDevices(d.Devices, lines);
    }

    /// <summary>One rule for every name, the one <see cref="Api.DomainName"/> holds: a name that validates can always be saved.</summary>
    private static void ValidateName(string name, int? line)
    {
        if (string.IsNullOrEmpty(name))
            throw Xml("a domain name is required in <name> and must not be empty", "name", line: line);
        if (Api.DomainName.Problem(name) is { } problem)
            throw Xml(problem.Length > 300 ? problem[..300] + "…" : problem, "name", line: line);
    }

    private static void ValidateDisks(IReadOnlyList<DiskDevice> disks, SourceLines lines)
    {
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var disk in disks)
        {
            var line = lines.LineOf(disk);
            if (DiskNames.ToIndex(disk.TargetDev) is null)
                throw Xml($"Unknown disk name '{disk.TargetDev}' and no address specified: expected fd, hd, vd, sd, xvd or ubd followed by lowercase letters and an optional partition number", "target", "dev", line);
            if (!targets.Add(disk.TargetDev))
                throw Xml($"target '{disk.TargetDev}' duplicated for disk sources '{disk.SourcePath ?? disk.NetworkSource?.Name ?? ""}'", "target", "dev", line);
            if ((disk.Device == DiskDeviceKind.Floppy) != (disk.TargetBus == DiskBus.Fdc))
                throw Xml(disk.Device == DiskDeviceKind.Floppy
                    ? $"Invalid bus type '{XmlNames.DiskBus.Name(disk.TargetBus)}' for floppy disk '{disk.TargetDev}': expected fdc"
                    : $"Invalid bus type 'fdc' for disk '{disk.TargetDev}': only floppies go on fdc", "target", "bus", line);
            var empty = disk.SourcePath is null && disk.NetworkSource is null;
            if (empty && disk.Device == DiskDeviceKind.Disk)
                throw Xml($"disk '{disk.TargetDev}' has no <source>: only a cdrom or floppy may be empty", "disk", null, line);
            if (empty && disk.TargetBus == DiskBus.Usb)
                throw Unsupported($"removable media on an empty '{XmlNames.DiskDevice.Name(disk.Device)}' disk '{disk.TargetDev}' on bus 'usb' is not supported: give it a <source>", "disk", line);
            if (disk.SourceType == DiskSourceType.Network && disk.NetworkSource is null)
                throw Xml($"network disk '{disk.TargetDev}' needs <source protocol='...'>", "disk", null, line);
        }
    }

    private static void ValidateBootOrder(DomainDefinition d, SourceLines lines)
    {
        var devices = d.Devices.Disks.Where(x => x.BootOrder is not null).Select(x => ((object)x, x.BootOrder!.Value))
            .Concat(d.Devices.Interfaces.Where(x => x.BootOrder is not null).Select(x => ((object)x, x.BootOrder!.Value)));
        var seen = new HashSet<int>();
        foreach (var (device, order) in devices)
        {
            if (d.Os.BootDevices.Count > 0)
                throw Xml("per-device boot elements cannot be used together with os/boot elements", "boot", "order", lines.LineOf(device));
            if (!seen.Add(order))
                throw Xml($"boot order '{order}' used for more than one device", "boot", "order", lines.LineOf(device));
        }
    }

    private static void ValidateDevices(DeviceSet devices, SourceLines lines)
    {
        var controllers = new HashSet<(string, int)>();
        foreach (var c in devices.Controllers)
        {
            // USB companions share their EHCI's index; among the rest each USB index is one bus.
            if (c.Type == "usb" && ControllerIndexes.DefaultStartPort(c.Model) is not null)
                continue;
            if (!controllers.Add((c.Type, c.Index)))
            {
                throw c.Type == "usb"
                    ? Xml($"Duplicate USB controllers with index {c.Index}", "controller", "index", lines.LineOf(c))
                    : Xml($"Multiple '{c.Type}' controllers with index '{c.Index}'", "controller", "index", lines.LineOf(c));
            }
        }
        foreach (var nic in devices.Interfaces)
        {
            if (nic.Mac is { } mac && (MacAddress.Normalize(mac) is not { } normal || MacAddress.IsMulticast(normal)))
                throw Xml($"expected a unicast MAC address, found '{mac}'", "mac", "address", lines.LineOf(nic));
        }
        foreach (var input in devices.Inputs)
        {
            if (input.Type == "tablet" && input.Bus == "ps2")
                throw Xml("ps2 bus does not support tablet input device", "input", "bus", lines.LineOf(input));
        }
        var audioIds = new HashSet<int>();
        foreach (var audio in devices.Audios)
        {
            if (!audioIds.Add(audio.Id))
                throw Xml($"audio id '{audio.Id}' is used more than once", "audio", "id", lines.LineOf(audio));
        }
        if (devices.Videos.Count > 1 && devices.Videos.FirstOrDefault(v => v.ModelType == "none") is { } none)
            throw Unsupported("a video device of type 'none' must be the only video device", "video", lines.LineOf(none));
        if (devices.Videos.Where(v => v.Primary == true).Skip(1).FirstOrDefault() is { } second)
            throw Xml("only one primary video device is supported", "video", "primary", lines.LineOf(second));
        foreach (var g in devices.Graphics)
        {
            var firstAddress = g.Listens.FirstOrDefault(l => l.Type == "address");
            if (g.Listen is { } listen && firstAddress?.Address is { } address && listen != address)
                throw Xml($"graphics 'listen' attribute '{listen}' must match 'address' attribute of first listen element (found '{address}')", "graphics", "listen", lines.LineOf(g));
            var firstSocket = g.Listens.FirstOrDefault(l => l.Type == "socket");
            if (g.Socket is { } socket && firstSocket?.Socket is { } listenSocket && socket != listenSocket)
                throw Xml($"graphics 'socket' attribute '{socket}' must match 'socket' attribute of first listen element (found '{listenSocket}')", "graphics", "socket", lines.LineOf(g));
        }
        if (devices.Tpms.Skip(1).FirstOrDefault() is { } secondTpm)
            throw Unsupported("only one <tpm> device is supported", "tpm", lines.LineOf(secondTpm));
        if (devices.Tpms.FirstOrDefault(t => t.Version == "1.2") is { } oldTpm && oldTpm.Model == "tpm-crb")
            throw Unsupported("<tpm model='tpm-crb'> needs a TPM 2.0 backend (version='2.0')", "tpm", lines.LineOf(oldTpm));
        foreach (var c in devices.Controllers.Where(c => c.Type == "scsi" && c.Model is not (null or "auto" or "lsilogic" or "virtio-scsi")))
            throw Unsupported($"<controller type='scsi' model='{c.Model}'> is not supported; use lsilogic or virtio-scsi", "controller", lines.LineOf(c));
        // libvirt dumps the guest's memory on the host for 'dump'; Virt has no memory dump yet.
        if (devices.Watchdog is { Action: "dump" } dumping)
            throw Unsupported("<watchdog action='dump'> is not supported (Virt does not write guest memory dumps); use reset, poweroff, pause or inject-nmi", "watchdog", lines.LineOf(dumping));
        foreach (var c in devices.Serials.Concat(devices.Consoles))
        {
            if (c.SourceType is CharDeviceSourceType.File or CharDeviceSourceType.Unix && string.IsNullOrEmpty(c.Path))
                throw Xml($"a character device of type '{XmlNames.CharSource.Name(c.SourceType)}' needs <source path='...'/>", "source", "path", lines.LineOf(c));
        }
    }

    /// <summary>libvirt's bitmap syntax: comma-separated N, N-M or ^N; the result must not be empty.</summary>
    private static bool IsValidCpuSet(string text)
    {
        var set = new HashSet<int>();
        var excluded = new HashSet<int>();
        foreach (var raw in text.Split(','))
        {
            var item = raw.Trim();
            var negate = item.StartsWith('^');
            if (negate)
                item = item[1..];
            var dash = item.IndexOf('-');
            var (lo, hi) = dash < 0 ? (item, item) : (item[..dash], item[(dash + 1)..]);
            if (!int.TryParse(lo, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
                || !int.TryParse(hi, NumberStyles.None, CultureInfo.InvariantCulture, out var end)
                || start > end || end >= CpuMaskLength || (negate && dash >= 0))
                return false;
            for (var cpu = start; cpu <= end; cpu++)
                (negate ? excluded : set).Add(cpu);
        }
        set.ExceptWith(excluded);
        return set.Count > 0;
    }

    private static string At(string element, int? line) => line is int l ? $" (<{element}> at line {l})" : "";

    private static DomainXmlException Xml(string message, string element, string? attribute = null, int? line = null) =>
        new(ErrorCode.XmlError, "XML error: " + message + At(element, line), line, element, attribute);

    private static DomainXmlException Unsupported(string message, string element, int? line) =>
        new(ErrorCode.ConfigUnsupported, "unsupported configuration: " + message + At(element, line), line, element);
}
