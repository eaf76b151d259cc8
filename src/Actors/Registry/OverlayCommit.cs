using Virt.Protocol.Domains;

namespace Virt.Actors.Registry;

/// <summary>
/// One disk of an external snapshot being deleted: the disk (by target), the snapshot's overlay, the disk as the snapshot
/// recorded it (the image the overlay was put on), and the nearest older snapshot of that disk (its image is the base).
/// </summary>
public sealed record OverlayCommit(string Disk, string Overlay, DiskDevice Parent, string? ParentSnapshot);
