using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Protocol.Api;

/// <summary>Snapshots of a domain (virsh snapshot-*): internal ones in its qcow2 disks, with the guest's memory when it runs, and external disk-only ones in overlays.</summary>
public static class DomainSnapshots
{
    /// <summary>Takes a snapshot described by a &lt;domainsnapshot&gt; document (name, description), as virsh's snapshot-create-as sends it.</summary>
    public sealed record CreateSnapshot(DomainRef Domain, string Xml, SnapshotCreateFlags Flags = SnapshotCreateFlags.None) : IWriteCommand;

    public sealed record ListSnapshots(DomainRef Domain) : IDomainCommand;

    /// <summary>One snapshot by name, or the current one when <paramref name="Name"/> is null.</summary>
    public sealed record GetSnapshot(DomainRef Domain, string? Name) : IDomainCommand;

    public sealed record RevertSnapshot(DomainRef Domain, string Name, SnapshotRevertFlags Flags = SnapshotRevertFlags.None) : IWriteCommand;

    public sealed record DeleteSnapshot(DomainRef Domain, string Name, SnapshotDeleteFlags Flags = SnapshotDeleteFlags.None) : IWriteCommand;

    /// <summary>A snapshot as virsh lists it, with its whole XML (the domain it was taken of inside); <paramref name="External"/> when its disks went to overlays.</summary>
    public sealed record SnapshotDescription(string Name, string? Parent, long CreationTime, string State, bool Current, string Xml, bool External = false) : IDomainReply;

    /// <summary>A domain's snapshots, oldest first.</summary>
    public sealed record SnapshotList(IReadOnlyList<SnapshotDescription> Snapshots) : IDomainReply;
}

/// <summary>libvirt's virDomainSnapshotCreateFlags.</summary>
[Flags]
public enum SnapshotCreateFlags
{
    None = 0,
    Redefine = 1 << 0,
    Current = 1 << 1,
    NoMetadata = 1 << 2,
    Halt = 1 << 3,
    DiskOnly = 1 << 4,
    ReuseExt = 1 << 5,
    Quiesce = 1 << 6,
    Atomic = 1 << 7,
    Live = 1 << 8,
    Validate = 1 << 9,
}

/// <summary>libvirt's virDomainSnapshotRevertFlags.</summary>
[Flags]
public enum SnapshotRevertFlags
{
    None = 0,
    Running = 1 << 0,
    Paused = 1 << 1,
    Force = 1 << 2,
}

/// <summary>libvirt's virDomainSnapshotDeleteFlags.</summary>
[Flags]
public enum SnapshotDeleteFlags
{
    None = 0,
    Children = 1 << 0,
    MetadataOnly = 1 << 1,
    ChildrenOnly = 1 << 2,
}
