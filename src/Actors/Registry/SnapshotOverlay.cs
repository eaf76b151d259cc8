using Virt.Protocol.Domains;

namespace Virt.Actors.Registry;

/// <summary>One overlay of an external snapshot: the disk as it was, the new qcow2 file on top of it.</summary>
public sealed record SnapshotOverlay(DiskDevice Disk, string Path);
