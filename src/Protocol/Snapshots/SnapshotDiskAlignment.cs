using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Snapshots;

/// <summary>
/// libvirt's virDomainSnapshotAlignDisks and virDomainSnapshotDefAssignExternalNames: one snapshot disk per domain disk,
/// in the domain's order, each with its mode (asked, or the domain's, or the default) and an external one with its file.
/// </summary>
public static class SnapshotDiskAlignment
{
    /// <param name="isRegularFile">Whether a path is a regular file (a default file name is only made next to one).</param>
    public static IReadOnlyList<SnapshotDisk> Align(DomainDefinition domain, IReadOnlyList<SnapshotDisk> requested, SnapshotLocation defaultLocation,
        string snapshotName, Func<string, bool> isRegularFile)
    {
        var disks = domain.Devices.Disks;
        if (requested.Count > disks.Count)
            throw Unsupported("too many disk snapshot requests for domain");
        // As libvirt's qemu driver: an internal snapshot takes every disk.
        var requireMatch = defaultLocation == SnapshotLocation.Internal;
        var byTarget = new Dictionary<string, SnapshotDisk>(StringComparer.Ordinal);
        foreach (var asked in requested)
        {
            var disk = Find(disks, asked.Name) ?? throw Unsupported($"no disk named '{asked.Name}'");
            if (byTarget.ContainsKey(disk.TargetDev))
                throw Unsupported($"disk '{asked.Name}' specified twice");
            var own = OwnLocation(disk);
            var location = asked.Location;
            if (location == SnapshotLocation.Default)
                location = own != SnapshotLocation.Default && (!requireMatch || own == SnapshotLocation.No) ? own : defaultLocation;
            else if (requireMatch && location != defaultLocation && !(location == SnapshotLocation.No && own == SnapshotLocation.No))
                throw Unsupported($"disk '{asked.Name}' must use snapshot mode '{defaultLocation.Name()}'");
            if (asked.SourcePath is not null && location != SnapshotLocation.External)
                throw Unsupported($"file '{asked.SourcePath}' for disk '{asked.Name}' requires use of external snapshot mode");
            byTarget[disk.TargetDev] = asked with { Name = disk.TargetDev, Location = location };
        }

        var aligned = new List<SnapshotDisk>(disks.Count);
        foreach (var disk in disks)
        {
            if (byTarget.TryGetValue(disk.TargetDev, out var asked))
            {
                aligned.Add(asked);
                continue;
            }
            var location = disk.SourcePath is null && disk.NetworkSource is null ? SnapshotLocation.No : OwnLocation(disk);
            aligned.Add(new SnapshotDisk(disk.TargetDev, location == SnapshotLocation.Default ? defaultLocation : location));
        }
        return AssignNames(disks, aligned, snapshotName, isRegularFile);
    }

    /// <summary>libvirt's default overlay: the original path with its extension (if any) replaced by the snapshot name.</summary>
    public static string DefaultFile(string original, string snapshotName)
    {
        var dot = original.LastIndexOf('.');
        var stem = dot >= 0 && original.IndexOf('/', dot) < 0 ? original[..dot] : original;
        return $"{stem}.{snapshotName}";
    }

    /// <summary>A disk's own snapshot mode: libvirt gives read-only disks (a cdrom is one) 'no'.</summary>
    private static SnapshotLocation OwnLocation(DiskDevice disk) =>
        disk.ReadOnly || disk.Device == DiskDeviceKind.Cdrom ? SnapshotLocation.No : SnapshotLocation.Default;

    /// <summary>By target, or by source path when exactly one disk has it (virDomainDiskByName).</summary>
    private static DiskDevice? Find(IReadOnlyList<DiskDevice> disks, string name)
    {
        if (disks.FirstOrDefault(d => d.TargetDev == name) is { } byTarget)
            return byTarget;
        var bySource = disks.Where(d => d.SourcePath == name).ToList();
        return bySource.Count == 1 ? bySource[0] : null;
    }

    private static List<SnapshotDisk> AssignNames(IReadOnlyList<DiskDevice> disks, List<SnapshotDisk> aligned, string snapshotName, Func<string, bool> isRegularFile)
    {
        for (var i = 0; i < aligned.Count; i++)
        {
            var snap = aligned[i];
            if (snap.Location != SnapshotLocation.External || snap.SourcePath is not null)
                continue;
            if (snap.Block)
                throw Unsupported($"cannot generate external snapshot name for disk '{snap.Name}' on a 'block' device");
            if (disks[i].SourcePath is not { } original)
                throw Unsupported($"cannot generate external snapshot name for disk '{snap.Name}' without source");
            if (disks[i].SourceType != DiskSourceType.File || !isRegularFile(original))
                throw Unsupported($"source for disk '{snap.Name}' is not a regular file; refusing to generate external snapshot name");
            var file = DefaultFile(original, snapshotName);
            for (var j = 0; j < i; j++)
            {
                if (aligned[j].SourcePath == file)
                    throw Unsupported($"cannot generate external snapshot name for disk '{snap.Name}': collision with disk '{aligned[j].Name}'");
            }
            aligned[i] = snap with { SourcePath = file };
        }
        return aligned;
    }

    private static VirtException Unsupported(string message) => new(ErrorCode.ConfigUnsupported, message);
}
