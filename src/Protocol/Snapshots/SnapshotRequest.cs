using Virt.Protocol.Errors;

namespace Virt.Protocol.Snapshots;

/// <summary>What a client's &lt;domainsnapshot&gt; asks for: name (libvirt's default is the creation time), description, memory and disks.</summary>
public sealed record SnapshotRequest(string? Name, string? Description, SnapshotLocation Memory, IReadOnlyList<SnapshotDisk> Disks)
{
    public static SnapshotRequest Parse(string xml)
    {
        var root = SnapshotXml.Load(xml);
        var memory = root.Element("memory");
        var snapshot = memory?.Attribute("snapshot")?.Value;
        var location = SnapshotLocations.Parse(snapshot)
            ?? throw new VirtException(ErrorCode.XmlError, $"XML error: Invalid value for attribute 'snapshot' in element 'memory': '{snapshot}'.");
        if (location == SnapshotLocation.Manual)
            throw new VirtException(ErrorCode.XmlError, "XML error: 'manual' memory snapshot mode not supported");
        if (location == SnapshotLocation.Default && memory?.Attribute("file") is not null)
            location = SnapshotLocation.External;
        var disks = root.Element("disks")?.Elements().Select(d => SnapshotDisk.Parse(d)).ToList() ?? [];
        return new SnapshotRequest(root.Element("name")?.Value.Trim(), root.Element("description")?.Value, location, disks);
    }

    /// <summary>Any disk asked for outside QEMU's images (the caller then needs --disk-only, as libvirt).</summary>
    public bool AsksExternal => Memory == SnapshotLocation.External || Disks.Any(d => d.Location == SnapshotLocation.External);
}
