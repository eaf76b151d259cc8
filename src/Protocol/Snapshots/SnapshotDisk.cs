using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Snapshots;

/// <summary>
/// One &lt;disk&gt; of a snapshot's &lt;disks&gt;: the disk (by target, or by source path in a request), where its snapshot goes,
/// and an external one's file. <paramref name="DeleteInProgress"/>: libvirt's mark on a snapshot whose image is the base of a
/// block commit that has not completed (its image no longer holds the snapshot's state for sure).
/// </summary>
public sealed record SnapshotDisk(string Name, SnapshotLocation Location, string? SourcePath = null, string? DriverType = null, bool Block = false,
    bool DeleteInProgress = false)
{
    private static readonly string[] Drivers = ["raw", "qcow2", "qcow", "qed", "vmdk", "vpc", "vdi", "vhdx", "bochs", "cloop", "dmg", "parallels"];

    /// <summary>As virDomainSnapshotDiskDefParseXML: a disk with a file or a driver and no snapshot mode is external.</summary>
    /// <param name="metadata">Read from the daemon's own metadata (libvirt's REDEFINE parse), which alone may carry the delete mark.</param>
    public static SnapshotDisk Parse(XElement disk, bool metadata = false)
    {
        var name = disk.Attribute("name")?.Value ?? throw new VirtException(ErrorCode.InternalError, "missing name from disk snapshot element");
        var snapshot = disk.Attribute("snapshot")?.Value;
        var location = SnapshotLocations.Parse(snapshot)
            ?? throw new VirtException(ErrorCode.XmlError, $"XML error: Invalid value for attribute 'snapshot' in element 'disk': '{snapshot}'.");
        var type = disk.Attribute("type")?.Value ?? "file";
        if (type is "volume" or "dir")
            throw new VirtException(ErrorCode.XmlError, $"XML error: unsupported disk snapshot type '{type}'");
        if (type is not ("file" or "block"))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"disk snapshot type '{type}' is not supported; use file or block");
        var block = type == "block";
        var path = disk.Element("source")?.Attribute(block ? "dev" : "file")?.Value;
        var driver = disk.Element("driver")?.Attribute("type")?.Value;
        if (driver is not null && !Drivers.Contains(driver))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"unknown disk snapshot driver '{driver}'");
        if (path is not null && !Path.IsPathRooted(path))
            throw new VirtException(ErrorCode.XmlError, $"XML error: disk snapshot image path '{path}' must be absolute");
        if (location == SnapshotLocation.Default && (path is not null || driver is not null))
            location = SnapshotLocation.External;
        return new SnapshotDisk(name, location, path, driver, block, metadata && disk.Element("snapshotDeleteInProgress") is not null);
    }

    public XElement Format()
    {
        var disk = new XElement("disk", new XAttribute("name", Name));
        if (Location != SnapshotLocation.Default)
            disk.Add(new XAttribute("snapshot", Location.Name()));
        if (DeleteInProgress)
            disk.Add(new XElement("snapshotDeleteInProgress"));
        if (SourcePath is not null || DriverType is not null)
        {
            disk.Add(new XAttribute("type", Block ? "block" : "file"));
            if (DriverType is not null)
                disk.Add(new XElement("driver", new XAttribute("type", DriverType)));
            if (SourcePath is not null)
                disk.Add(new XElement("source", new XAttribute(Block ? "dev" : "file", SourcePath)));
        }
        return disk;
    }
}
