using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Paths;

namespace Virt.Actors.Registry;

/// <summary>
/// libvirt's qemuSnapshotPrepare for a disk-only external snapshot: which disks get an overlay and where, refused as
/// libvirt refuses (a file that exists unless reused, a format other than qcow2, a mix with internal, nothing selected),
/// and the daemon's path policy on the result; then the definition with each disk moved onto its overlay.
/// </summary>
public static class ExternalSnapshotPlan
{
    /// <param name="aligned">One snapshot disk per domain disk, as <see cref="SnapshotDiskAlignment.Align"/> gives them.</param>
    /// <param name="fileSize">A path's size, or null when nothing is there.</param>
    public static IReadOnlyList<SnapshotOverlay> Prepare(DomainDefinition d, IReadOnlyList<SnapshotDisk> aligned, bool active, bool reuse,
        VirtPaths tree, Func<string, long?> fileSize)
    {
        var overlays = new List<SnapshotOverlay>();
        var foundInternal = false;
        for (var i = 0; i < aligned.Count; i++)
        {
            var snap = aligned[i];
            var disk = d.Devices.Disks[i];
            switch (snap.Location)
            {
                case SnapshotLocation.Internal when active:
                    throw Unsupported($"active qemu domains require external disk snapshots; disk {snap.Name} requested internal");
                case SnapshotLocation.Internal:
                    foundInternal = true;
                    break;
                case SnapshotLocation.Manual:
                    throw new VirtException(ErrorCode.OperationUnsupported, $"manual snapshot of disk {snap.Name} is not supported");
                case SnapshotLocation.External:
                    overlays.Add(Overlay(disk, snap, reuse, fileSize));
                    break;
            }
        }
        if (overlays.Count == 0 && !foundInternal)
            throw Unsupported("nothing selected for snapshot");
        if (overlays.Count == 0)
            throw Unsupported("disk-only snapshots require at least one disk to be selected for snapshot");
        if (foundInternal)
            throw Unsupported("mixing internal and external targets for a snapshot is not yet supported");
        if (overlays.GroupBy(o => o.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw Unsupported($"disks {string.Join(" and ", twice.Select(o => o.Disk.TargetDev))} name the same overlay '{twice.Key}'");
        if (DevicePathPolicy.Check(Apply(d, overlays, OverlayChain.Dropped), tree) is { } refused)
            throw new VirtException(refused.Code, refused.Message);
        return overlays;
    }

    private static SnapshotOverlay Overlay(DiskDevice disk, SnapshotDisk snap, bool reuse, Func<string, long?> fileSize)
    {
        var format = snap.DriverType ?? "qcow2";
        if (format != "qcow2")
            throw Unsupported($"external snapshot format for disk {snap.Name} is unsupported: {format}");
        if (disk.SourceType != DiskSourceType.File || disk.SourcePath is null)
            throw Unsupported($"external snapshots of disk {snap.Name} are supported only on a file source (it is a '{disk.SourceType.ToString().ToLowerInvariant()}' disk)");
        if (snap.Block)
            throw Unsupported($"external snapshot of disk {snap.Name} onto a block device is not supported; give a file");
        var path = snap.SourcePath!;
        switch (fileSize(path))
        {
            case null when reuse:
                throw new VirtException(ErrorCode.OperationFailed, $"missing existing file for disk {snap.Name}: {path}: No such file or directory");
            case > 0 when !reuse:
                throw Unsupported($"external snapshot file for disk {snap.Name} already exists and is not a block device: {path}");
        }
        return new SnapshotOverlay(disk, path);
    }

    /// <summary>The disks as the snapshot's metadata keeps them: an external one with its overlay's format, as libvirt fills it in.</summary>
    public static IReadOnlyList<SnapshotDisk> Recorded(IReadOnlyList<SnapshotDisk> aligned) =>
        [.. aligned.Select(d => d.Location == SnapshotLocation.External ? d with { DriverType = d.DriverType ?? "qcow2" } : d)];

    /// <summary>Each disk of <paramref name="overlays"/> (matched by target and its old source) moved onto its overlay.</summary>
    public static DomainDefinition Apply(DomainDefinition d, IReadOnlyList<SnapshotOverlay> overlays, OverlayChain chain)
    {
        var disks = d.Devices.Disks.ToArray();
        for (var i = 0; i < disks.Length; i++)
        {
            var disk = disks[i];
            if (overlays.FirstOrDefault(o => o.Disk.TargetDev == disk.TargetDev && o.Disk.SourcePath == disk.SourcePath) is not { } overlay)
                continue;
            var format = disk.DriverType ?? "raw";
            var under = chain switch
            {
                OverlayChain.Complete => new DiskBackingStore(disk.SourceType, format, disk.SourcePath, disk.BackingStore ?? (format == "raw" ? DiskBackingStore.End : null)),
                OverlayChain.Recorded => new DiskBackingStore(disk.SourceType, format, disk.SourcePath, disk.BackingStore),
                _ => disk.BackingStore is { Path: not null } ? new DiskBackingStore(disk.SourceType, format, disk.SourcePath, disk.BackingStore) : null,
            };
            disks[i] = disk with { SourceType = DiskSourceType.File, SourcePath = overlay.Path, DriverType = "qcow2", BackingStore = under };
        }
        return d with { Devices = d.Devices with { Disks = disks } };
    }

    private static VirtException Unsupported(string message) => new(ErrorCode.ConfigUnsupported, message);
}
