using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Snapshots;

/// <summary>
/// One snapshot's metadata in libvirt's &lt;domainsnapshot&gt; format: name, description, the domain's state when it
/// was taken, its parent, its creation time, whether it is the current one, and the domain XML of that moment.
/// </summary>
public sealed record SnapshotDefinition(string Name, string? Description, string State, string? Parent, long CreationTime, bool Current, string DomainXml)
{
    /// <summary>Names HMP's savevm and the file system both take as they are.</summary>
    public static string? NameProblem(string name) =>
        name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+') || name.StartsWith('.')
            ? $"snapshot name '{name}' is not supported: use 1 to 64 letters, digits, '.', '_', '-' or '+', not starting with '.'"
            : null;

    /// <summary>What a client asks for: the name (libvirt's default is the creation time in seconds) and the description.</summary>
    public static (string? Name, string? Description, bool DiskOnly) ParseRequest(string xml)
    {
        var root = Load(xml);
        var diskOnly = root.Element("memory")?.Attribute("snapshot")?.Value == "no"
            || root.Element("disks")?.Elements("disk").Any(d => d.Attribute("snapshot")?.Value == "external") == true;
        return (root.Element("name")?.Value.Trim(), root.Element("description")?.Value, diskOnly);
    }

    public static SnapshotDefinition Parse(string xml)
    {
        var root = Load(xml);
        string Required(string element) => root.Element(element)?.Value ?? throw new VirtException(ErrorCode.XmlError, $"XML error: snapshot metadata lacks <{element}>");
        var domain = root.Element("domain") ?? throw new VirtException(ErrorCode.XmlError, "XML error: snapshot metadata lacks <domain>");
        return new SnapshotDefinition(Required("name"), root.Element("description")?.Value, Required("state"), root.Element("parent")?.Element("name")?.Value,
            long.Parse(Required("creationTime"), CultureInfo.InvariantCulture), root.Element("active")?.Value == "1", domain.ToString());
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
        root.Add(new XElement("memory", new XAttribute("snapshot", State == "shutoff" ? "no" : "internal")));
        var domain = XElement.Parse(DomainXml);
        root.Add(new XElement("disks", domain.Element("devices")?.Elements("disk")
            .Select(d => new XElement("disk", new XAttribute("name", d.Element("target")?.Attribute("dev")?.Value ?? ""),
                new XAttribute("snapshot", d.Attribute("device")?.Value is "cdrom" or "floppy" ? "no" : "internal")))));
        root.Add(domain);
        if (withActive)
            root.Add(new XElement("active", Current ? "1" : "0"));
        return root.ToString() + "\n";
    }

    private static XElement Load(string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            var root = XElement.Load(reader);
            return root.Name.LocalName == "domainsnapshot" ? root
                : throw new VirtException(ErrorCode.XmlError, $"XML error: expected <domainsnapshot>, found <{root.Name.LocalName}>");
        }
        catch (XmlException e)
        {
            throw new VirtException(ErrorCode.XmlError, $"XML error: {e.Message}", e);
        }
    }
}
