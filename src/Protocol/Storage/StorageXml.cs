using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Domains.Xml;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Storage;

/// <summary>
/// libvirt's storage pool and volume XML (formatstorage) for directory pools: parsed for what a define or a volume
/// create means, formatted as libvirt writes it. Output-only elements a client sends back (capacity, allocation,
/// permissions of a dumped pool) are read past, not refused: they describe, they do not configure.
/// </summary>
public static class StorageXml
{
    public static StoragePoolDefinition ParsePool(string xml)
    {
        var root = new XmlNode(SecureXmlLoader.Load(xml));
        if (root.Name != "pool")
            throw new DomainXmlException(ErrorCode.XmlError, $"XML error: the root element is <{root.Name}>, not <pool>");
        var type = root.Attr("type") ?? throw root.XmlError("<pool> needs the attribute 'type'", "type");
        if (type != "dir")
            throw new DomainXmlException(ErrorCode.ConfigUnsupported, $"unsupported configuration: storage pool type '{type}': Virt keeps directory pools only (type='dir')");
        var name = root.ChildText("name")?.Trim() ?? throw root.XmlError("a storage pool needs a <name>");
        CheckName(name, "storage pool");
        var uuidText = root.ChildText("uuid")?.Trim();
        var uuid = uuidText is null ? Guid.NewGuid()
            : Guid.TryParse(uuidText, out var parsed) ? parsed
            : throw root.XmlError($"malformed uuid '{uuidText}'");
        var path = root.Child("target")?.ChildText("path")?.Trim() ?? throw root.XmlError("a directory pool needs <target><path>");
        if (!Path.IsPathRooted(path))
            throw new DomainXmlException(ErrorCode.ConfigUnsupported, $"unsupported configuration: target path '{path}' of storage pool '{name}' is not absolute");
        return new StoragePoolDefinition(name, uuid, Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
    }

    public static VolumeRequest ParseVolume(string xml)
    {
        var root = new XmlNode(SecureXmlLoader.Load(xml));
        if (root.Name != "volume")
            throw new DomainXmlException(ErrorCode.XmlError, $"XML error: the root element is <{root.Name}>, not <volume>");
        var name = root.ChildText("name")?.Trim() ?? throw root.XmlError("a volume needs a <name>");
        CheckName(name, "volume");
        var capacity = root.Child("capacity") ?? throw root.XmlError("a volume needs a <capacity>");
        var unit = capacity.Attr("unit") ?? "bytes";
        var text = capacity.TextDone()?.Trim();
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || MemoryUnits.BytesPerUnit(unit) is not ulong scale
            || (value != 0 && value > long.MaxValue / scale))
            throw capacity.XmlError($"volume capacity '{text} {unit}' is not a size libvirt knows");
        if (root.Child("backingStore") is not null)
            throw new DomainXmlException(ErrorCode.ConfigUnsupported, $"unsupported configuration: volume '{name}' with a <backingStore>");
        var format = root.Child("target")?.Child("format")?.Attr("type") ?? "raw";
        if (format is not ("raw" or "qcow2"))
            throw new DomainXmlException(ErrorCode.ConfigUnsupported, $"unsupported configuration: volume format '{format}': raw or qcow2");
        return new VolumeRequest(name, value * scale, format);
    }

    /// <summary>A pool or volume name is a file name: no '/', not "." or "..", no leading '.', no control characters.</summary>
    private static void CheckName(string name, string what)
    {
        if (name.Length == 0 || name.Contains('/') || name.StartsWith('.') || name.Any(char.IsControl) || System.Text.Encoding.UTF8.GetByteCount(name) > 200)
            throw new DomainXmlException(ErrorCode.XmlError, $"XML error: {what} name '{name}' must be a plain file name (no '/', no leading '.', at most 200 bytes)");
    }

    public static string FormatPool(StoragePoolDefinition pool, PoolSpace space)
    {
        var x = new XmlBuilder();
        x.Open("pool").Attr("type", "dir");
        x.Text("name", pool.Name);
        x.Text("uuid", pool.Uuid.ToString("D"));
        x.Text("capacity", space.CapacityBytes.ToString(CultureInfo.InvariantCulture), ("unit", "bytes"));
        x.Text("allocation", space.AllocationBytes.ToString(CultureInfo.InvariantCulture), ("unit", "bytes"));
        x.Text("available", space.AvailableBytes.ToString(CultureInfo.InvariantCulture), ("unit", "bytes"));
        x.Leaf("source");
        x.Open("target");
        x.Text("path", pool.TargetPath);
        x.End("target");
        x.End("pool");
        return x.ToString();
    }

    public static string FormatVolume(VolumeInfo volume)
    {
        var x = new XmlBuilder();
        x.Open("volume").Attr("type", "file");
        x.Text("name", volume.Name);
        x.Text("key", volume.Path);
        x.Text("capacity", volume.CapacityBytes.ToString(CultureInfo.InvariantCulture), ("unit", "bytes"));
        x.Text("allocation", volume.AllocationBytes.ToString(CultureInfo.InvariantCulture), ("unit", "bytes"));
        x.Text("physical", volume.AllocationBytes.ToString(CultureInfo.InvariantCulture), ("unit", "bytes"));
        x.Open("target");
        x.Text("path", volume.Path);
        x.Leaf("format", ("type", volume.Format));
        x.Open("permissions");
        x.Text("mode", Convert.ToString(volume.Mode & 0xfff, 8).PadLeft(4, '0'));
        x.Text("owner", volume.Owner.ToString(CultureInfo.InvariantCulture));
        x.Text("group", volume.Group.ToString(CultureInfo.InvariantCulture));
        x.End("permissions");
        x.End("target");
        x.End("volume");
        return x.ToString();
    }
}
