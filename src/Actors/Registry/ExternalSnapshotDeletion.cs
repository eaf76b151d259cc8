using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Storage;

namespace Virt.Actors.Registry;

/// <summary>
/// libvirt 9.0's qemuSnapshotDeleteExternalPrepare, in two parts: what the metadata alone decides (<see cref="Plan"/>), then
/// what the disks' backing chains decide (<see cref="Place"/>): the overlay must be in the chain the disk uses now, right
/// on top of the image the snapshot was taken of. Then how the domain's definitions change.
/// </summary>
public static class ExternalSnapshotDeletion
{
    /// <summary>One commit per disk the snapshot put on an overlay, refused as libvirt refuses.</summary>
    public static IReadOnlyList<OverlayCommit> Plan(SnapshotDefinition target, IReadOnlyList<SnapshotDefinition> all, DomainDefinition domain)
    {
        var taken = DomainXml.Parse(target.DomainXml);
        var commits = new List<OverlayCommit>();
        foreach (var disk in target.DiskList.Where(d => d.Location != SnapshotLocation.No))
        {
            if (disk.DeleteInProgress)
                throw new VirtException(ErrorCode.OperationInvalid, $"snapshot disk '{disk.Name}' was target of not completed snapshot delete");
            _ = DiskByName(domain, disk.Name) ?? throw new VirtException(ErrorCode.InvalidArg, $"disk '{disk.Name}' not found in domain");
            var parent = taken.Devices.Disks.FirstOrDefault(d => d.TargetDev == disk.Name)
                ?? throw new VirtException(ErrorCode.OperationFailed, $"failed to find disk '{disk.Name}' in snapshot VM XML");
            var parentSnapshot = ParentFor(target, all, disk.Name);
            if (parentSnapshot is { External: false })
                throw new VirtException(ErrorCode.OperationUnsupported, "deleting external snapshot that has internal snapshot as parent not supported");
            commits.Add(new OverlayCommit(disk.Name, disk.SourcePath ?? "", parent, parentSnapshot?.Name));
        }
        return commits;
    }

    /// <summary>The files whose chains <see cref="Place"/> needs: each disk's top image.</summary>
    public static IReadOnlyList<string> Tops(IReadOnlyList<OverlayCommit> commits, DomainDefinition domain) =>
        [.. commits.Select(c => DiskByName(domain, c.Disk)?.SourcePath).OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>Where each overlay sits in its disk's chain (<paramref name="chains"/>: by top image, top first), as the commit it takes.</summary>
    public static IReadOnlyList<CommitRequest> Place(IReadOnlyList<OverlayCommit> commits, DomainDefinition domain, IReadOnlyDictionary<string, IReadOnlyList<ImageLayer>> chains)
    {
        var requests = new List<CommitRequest>();
        foreach (var commit in commits)
        {
            var disk = DiskByName(domain, commit.Disk) ?? throw new VirtException(ErrorCode.InvalidArg, $"disk '{commit.Disk}' not found in domain");
            var chain = disk.SourcePath is { } top && chains.TryGetValue(top, out var found) ? found : [];
            var at = chain.ToList().FindIndex(l => l.Path == commit.Overlay);
            if (at < 0)
                throw new VirtException(ErrorCode.InvalidArg, "could not find base disk source in disk source chain");
            if (at + 1 >= chain.Count)
                throw new VirtException(ErrorCode.OperationFailed, "failed to find parent disk source in backing chain");
            if (chain[at + 1].Path != commit.Parent.SourcePath)
                throw new VirtException(ErrorCode.OperationFailed, "snapshot VM disk source and parent disk source are not the same");
            requests.Add(new CommitRequest(commit.Disk, chain[0].Path, commit.Overlay, chain[at + 1], at == 0 ? null : chain[at - 1].Path));
        }
        return requests;
    }

    /// <summary>The domain's disks once <paramref name="done"/> are committed: each off its overlay.</summary>
    public static DomainDefinition Apply(DomainDefinition d, IReadOnlyList<OverlayCommit> done)
    {
        var disks = d.Devices.Disks.ToArray();
        foreach (var commit in done)
        {
            var i = Array.FindIndex(disks, x => x.TargetDev == commit.Disk);
            if (i >= 0)
                disks[i] = OverlayRemoval.FromChain(disks[i], commit.Overlay, commit.Parent);
        }
        return d with { Devices = d.Devices with { Disks = disks } };
    }

    /// <summary>
    /// libvirt's qemuSnapshotSetInvalid: the older snapshots whose image is a commit's base, with that disk marked (or no
    /// longer) as the target of a delete in progress. The changed snapshots, to save.
    /// </summary>
    public static IReadOnlyList<SnapshotDefinition> Marked(IReadOnlyList<SnapshotDefinition> all, IReadOnlyList<OverlayCommit> commits, bool inProgress)
    {
        var changed = new List<SnapshotDefinition>();
        foreach (var group in commits.Where(c => c.ParentSnapshot is not null).GroupBy(c => c.ParentSnapshot))
        {
            if (all.FirstOrDefault(s => s.Name == group.Key) is not { Disks: { } disks } parent)
                continue;
            var names = group.Select(c => c.Disk).ToHashSet(StringComparer.Ordinal);
            changed.Add(parent with { Disks = [.. disks.Select(d => names.Contains(d.Name) ? d with { DeleteInProgress = inProgress } : d)] });
        }
        return changed;
    }

    /// <summary>libvirt's qemuSnapshotFindParentSnapForDisk: the nearest older snapshot that took the disk at all.</summary>
    private static SnapshotDefinition? ParentFor(SnapshotDefinition target, IReadOnlyList<SnapshotDefinition> all, string disk)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var parent = all.FirstOrDefault(s => s.Name == target.Parent); parent is not null && seen.Add(parent.Name);
             parent = all.FirstOrDefault(s => s.Name == parent.Parent))
        {
            if (parent.DiskList.Any(d => d.Name == disk && d.Location != SnapshotLocation.No))
                return parent;
        }
        return null;
    }

    /// <summary>virDomainDiskByName: by target, or by source path.</summary>
    internal static DiskDevice? DiskByName(DomainDefinition d, string name) =>
        d.Devices.Disks.FirstOrDefault(x => x.TargetDev == name) ?? d.Devices.Disks.FirstOrDefault(x => x.SourcePath == name);
}
