using System.Xml;
using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Cli.Output;

/// <summary>Reads the few facts virsh takes straight from a domain's XML (graphics, disks) without the full model.</summary>
internal static class DomainXmlQuery
{
    public static XElement Load(string xml)
    {
        // The XML comes from the runtime, but a client still refuses DTDs and entities.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            return XDocument.Load(reader).Root ?? throw new VirtException(ErrorCode.XmlError, "empty domain XML");
        }
        catch (XmlException e)
        {
            throw new VirtException(ErrorCode.XmlError, "cannot read the domain XML: " + e.Message, e);
        }
    }

    public static IEnumerable<XElement> Devices(XElement domain, string name) =>
        domain.Elements("devices").Elements(name);
}

/// <summary>A VNC display as virsh vncdisplay prints it: ":0" when QEMU listens on every address, else "HOST:0".</summary>
internal sealed record VncDisplay(string? Host, int Port)
{
    public const int BasePort = 5900;
    public const string NoPort = "Failed to get VNC port. Is this domain using VNC?";

    public int Number => Port - BasePort;

    public override string ToString() => $"{Host}:{Number}";

    public static VncDisplay FromXml(string xml)
    {
        var graphics = DomainXmlQuery.Devices(DomainXmlQuery.Load(xml), "graphics")
            .FirstOrDefault(g => (string?)g.Attribute("type") == "vnc");
        if (graphics is null || !int.TryParse((string?)graphics.Attribute("port"), out var port) || port < BasePort)
            throw new VirtException(ErrorCode.OperationFailed, NoPort);

        var listen = (string?)graphics.Attribute("listen");
        if (string.IsNullOrEmpty(listen))
            listen = graphics.Elements("listen").Where(l => (string?)l.Attribute("type") == "address")
                .Select(l => (string?)l.Attribute("address")).FirstOrDefault();
        return new VncDisplay(string.IsNullOrEmpty(listen) || listen == "0.0.0.0" ? null : listen, port);
    }
}

/// <summary>One row of virsh domblklist: the disk's bus target and where its data comes from (null for an empty drive).</summary>
internal sealed record BlockDevice(string Type, string Device, string Target, string? Source)
{
    // virsh takes the first of these source attributes that the disk has.
    private static readonly string[] SourceAttributes = ["file", "dev", "dir", "name", "volume", "path"];

    public static IReadOnlyList<BlockDevice> FromXml(string xml) =>
        [.. DomainXmlQuery.Devices(DomainXmlQuery.Load(xml), "disk").Select(FromDisk)];

    private static BlockDevice FromDisk(XElement disk)
    {
        var target = (string?)disk.Element("target")?.Attribute("dev")
            ?? throw new VirtException(ErrorCode.XmlError, "unable to query block list: a disk has no <target dev=...>");
        var source = disk.Element("source") is { } s
            ? SourceAttributes.Select(a => (string?)s.Attribute(a)).FirstOrDefault(v => v is not null)
            : null;
        return new BlockDevice((string?)disk.Attribute("type") ?? "file", (string?)disk.Attribute("device") ?? "disk", target, source);
    }

    public static string Table(IEnumerable<BlockDevice> devices, bool details, bool header = true)
    {
        var table = details ? new VshTable("Type", "Device", "Target", "Source") : new VshTable("Target", "Source");
        foreach (var d in devices)
        {
            if (details)
                table.Add(d.Type, d.Device, d.Target, d.Source ?? "-");
            else
                table.Add(d.Target, d.Source ?? "-");
        }
        return table.Format(header);
    }

    public static string Json(IEnumerable<BlockDevice> devices) => JsonOutput.Document(w =>
    {
        w.WriteStartArray();
        foreach (var d in devices)
        {
            w.WriteStartObject();
            w.WriteString("type", d.Type);
            w.WriteString("device", d.Device);
            w.WriteString("target", d.Target);
            if (d.Source is null)
                w.WriteNull("source");
            else
                w.WriteString("source", d.Source);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });
}
