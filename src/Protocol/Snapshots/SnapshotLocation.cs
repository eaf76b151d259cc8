namespace Virt.Protocol.Snapshots;

/// <summary>libvirt's virDomainSnapshotLocation: where a disk's (or the memory's) snapshot goes.</summary>
public enum SnapshotLocation { Default, No, Internal, External, Manual }

public static class SnapshotLocations
{
    public static string Name(this SnapshotLocation location) => location switch
    {
        SnapshotLocation.No => "no",
        SnapshotLocation.Internal => "internal",
        SnapshotLocation.External => "external",
        SnapshotLocation.Manual => "manual",
        _ => "default",
    };

    public static SnapshotLocation? Parse(string? text) => text switch
    {
        null => SnapshotLocation.Default,
        "no" => SnapshotLocation.No,
        "internal" => SnapshotLocation.Internal,
        "external" => SnapshotLocation.External,
        "manual" => SnapshotLocation.Manual,
        _ => null,
    };
}
