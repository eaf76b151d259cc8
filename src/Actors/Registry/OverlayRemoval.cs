using Virt.Protocol.Domains;

namespace Virt.Actors.Registry;

/// <summary>A disk definition without one overlay of its chain, as libvirt rewrites it after a block commit.</summary>
public static class OverlayRemoval
{
    /// <summary>
    /// A domain's own disk (live or config): on the overlay, it moves onto the image under it (with the rest of the chain
    /// it records, or as the snapshot recorded that image when it records none); under it, the overlay leaves the chain.
    /// </summary>
    public static DiskDevice FromChain(DiskDevice disk, string overlay, DiskDevice parent)
    {
        if (disk.SourcePath != overlay)
            return disk with { BackingStore = Unlink(disk.BackingStore, overlay) };
        return disk.BackingStore is { Path: not null } under
            ? disk with { SourceType = under.SourceType, SourcePath = under.Path, DriverType = under.Format, BackingStore = under.Next }
            : disk with { SourceType = parent.SourceType, SourcePath = parent.SourcePath, DriverType = parent.DriverType, BackingStore = parent.BackingStore };
    }

    /// <summary>
    /// libvirt's qemuSnapshotUpdateDisksSingle, for the domain a later snapshot recorded: an external one's disk on the
    /// overlay takes the deleted snapshot's source (without its chain); any recorded chain loses the overlay.
    /// </summary>
    public static DiskDevice InSnapshot(DiskDevice disk, string overlay, DiskDevice parent, bool external)
    {
        if (external && disk.SourcePath == overlay)
            disk = disk with { SourceType = parent.SourceType, SourcePath = parent.SourcePath, DriverType = parent.DriverType, BackingStore = null };
        return disk with { BackingStore = Unlink(disk.BackingStore, overlay) };
    }

    private static DiskBackingStore? Unlink(DiskBackingStore? store, string overlay) => store switch
    {
        null => null,
        { Path: var path } when path == overlay => store.Next,
        _ => store with { Next = Unlink(store.Next, overlay) },
    };
}
