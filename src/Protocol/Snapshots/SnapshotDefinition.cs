using System.Globalization;
using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Snapshots;

/// <summary>
/// One snapshot's metadata in libvirt's &lt;domainsnapshot&gt; format: name, description, the domain's state when it
/// was taken, its parent, its creation time, whether it is the current one, and the domain XML of that moment.
/// </summary>
public sealed record SnapshotDefinition(string Name, string? Description, string State, string? Parent, long CreationTime, bool Current, string DomainXml,
    IReadOnlyList<SnapshotDisk>? Disks = null)
{
    /// <summary>Whether any disk went to an overlay (virsh snapshot-info's Location).</summary>
    public bool External => Disks?.Any(d => d.Location == SnapshotLocation.External) == true;

    /// <summary>Every disk's part: as recorded, or (an internal snapshot's, which records none) each disk internal but removable media.</summary>
    public IReadOnlyList<SnapshotDisk> DiskList => Disks ?? [.. (XElement.Parse(DomainXml).Element("devices")?.Elements("disk") ?? [])
        .Select(d => new SnapshotDisk(d.Element("target")?.Attribute("dev")?.Value ?? "",
            d.Attribute("device")?.Value is "cdrom" or "floppy" ? SnapshotLocation.No : SnapshotLocation.Internal))];

    /// <summary>Names HMP's savevm and the file system both take as they are.</summary>
    public static string? NameProblem(string name) =>
        name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+') || name.StartsWith('.')
            ? $"snapshot name '{name}' is not supported: use 1 to 64 letters, digits, '.', '_', '-' or '+', not starting with '.'"
            : null;

    public static SnapshotDefinition Parse(string xml)
    {
        var root = SnapshotXml.Load(xml);
        string Required(string element) => root.Element(element)?.Value ?? throw new VirtException(ErrorCode.XmlError, $"XML error: snapshot metadata lacks <{element}>");
        var domain = root.Element("domain") ?? throw new VirtException(ErrorCode.XmlError, "XML error: snapshot metadata lacks <domain>");
        return new SnapshotDefinition(Required("name"), root.Element("description")?.Value, Required("state"), root.Element("parent")?.Element("name")?.Value,
            long.Parse(Required("creationTime"), CultureInfo.InvariantCulture), root.Element("active")?.Value == "1", domain.ToString(),
            root.Element("disks") is { } disks ? [.. disks.Elements("disk").Select(d => SnapshotDisk.Parse(d, metadata: true))] : null);
    }

    /// <summary>libvirt's layout; <paramref name="withActive"/> for the stored metadata, which marks the current snapshot.</summary>
    public string Format(bool withActive)
    {
        var root = new XElement("domainsnapshot", new XElement("name", Name));
        if (Description is not null)
            root.Add(new XElement("description", Description));
        root.Add(new XElement("state", State));
        if (Parent is not null)
            root.Add(new XElement("parent", new XElement("name", Parent)));
        root.Add(new XElement("creationTime", CreationTime.ToString(CultureInfo.InvariantCulture)));
        root.Add(new XElement("memory", new XAttribute("snapshot", State is "shutoff" or "disk-snapshot" ? "no" : "internal")));
        root.Add(new XElement("disks", DiskList.Select(d => d.Format())));
        root.Add(XElement.Parse(DomainXml));
        if (withActive)
            root.Add(new XElement("active", Current ? "1" : "0"));
        return root.ToString() + "\n";
    }
}
