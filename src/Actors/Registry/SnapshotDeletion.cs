using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;

namespace Virt.Actors.Registry;

/// <summary>
/// libvirt 9.0's rules for deleting a snapshot (qemuSnapshotDeleteValidate) and what the others' metadata becomes after
/// (qemuSnapshotDiscardMetadata): children move to its parent, later snapshots forget its overlays, its parent is current
/// if it was, and the base images of its commits are no longer marked.
/// </summary>
public static class SnapshotDeletion
{
    /// <param name="running">The live definition when the domain runs, else null.</param>
    public static void Validate(SnapshotDefinition target, IReadOnlyList<SnapshotDefinition> all, SnapshotDeleteFlags flags, DomainDefinition? running)
    {
        if (!target.External && running is not null)
        {
            var taken = DomainXml.Parse(target.DomainXml);
            foreach (var disk in target.DiskList)
            {
                if (ExternalSnapshotDeletion.DiskByName(running, disk.Name)?.SourcePath != ExternalSnapshotDeletion.DiskByName(taken, disk.Name)?.SourcePath)
                    throw new VirtException(ErrorCode.OperationUnsupported,
                        $"disk image '{disk.Name}' for internal snapshot '{target.Name}' is not the same as disk image currently used by VM");
            }
        }
        if (flags.HasFlag(SnapshotDeleteFlags.Children) || flags.HasFlag(SnapshotDeleteFlags.ChildrenOnly))
        {
            var descendants = Descendants(target, all);
            var external = descendants.Count(s => s.External);
            if (external > 0 && external < descendants.Count)
                throw new VirtException(ErrorCode.ConfigUnsupported, "deletion of external and internal children disk snapshots not supported");
            if (external > 0)
                throw new VirtException(ErrorCode.ConfigUnsupported, "deletion of external children disk snapshots not supported");
        }
        if (target.External && flags.HasFlag(SnapshotDeleteFlags.Children))
            throw new VirtException(ErrorCode.ConfigUnsupported, "deletion of external disk snapshots with children not supported");
    }

    /// <summary>Every snapshot below <paramref name="target"/>, nearest first.</summary>
    public static IReadOnlyList<SnapshotDefinition> Descendants(SnapshotDefinition target, IReadOnlyList<SnapshotDefinition> all)
    {
        var found = new List<SnapshotDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal) { target.Name };
        for (var i = -1; i < found.Count; i++)
        {
            var parent = i < 0 ? target.Name : found[i].Name;
            found.AddRange(all.Where(s => s.Parent == parent && names.Add(s.Name)));
        }
        return found;
    }

    /// <summary>The snapshots that change when <paramref name="target"/> goes (it is then removed), after <paramref name="commits"/> if any.</summary>
    public static IReadOnlyList<SnapshotDefinition> AfterDelete(SnapshotDefinition target, IReadOnlyList<SnapshotDefinition> all, IReadOnlyList<OverlayCommit> commits)
    {
        var changed = new Dictionary<string, SnapshotDefinition>(StringComparer.Ordinal);
        SnapshotDefinition Latest(SnapshotDefinition s) => changed.TryGetValue(s.Name, out var c) ? c : s;
        foreach (var marked in ExternalSnapshotDeletion.Marked(all, commits, inProgress: false))
            changed[marked.Name] = marked;
        foreach (var child in all.Where(s => s.Parent == target.Name))
            changed[child.Name] = Latest(child) with { Parent = target.Parent };
        var overlays = target.DiskList.Where(d => d.Location != SnapshotLocation.No && d.SourcePath is not null).ToList();
        if (overlays.Count > 0)
        {
            var taken = DomainXml.Parse(target.DomainXml);
            foreach (var later in Descendants(target, all))
            {
                if (WithoutOverlays(Latest(later), overlays, taken) is { } rewritten)
                    changed[later.Name] = rewritten;
            }
        }
        if (target.Current && all.FirstOrDefault(s => s.Name == target.Parent) is { } parent)
            changed[parent.Name] = Latest(parent) with { Current = true };
        return [.. changed.Values];
    }

    /// <summary>A later snapshot's recorded domain without the deleted snapshot's overlays; null when it does not change.</summary>
    private static SnapshotDefinition? WithoutOverlays(SnapshotDefinition later, List<SnapshotDisk> overlays, DomainDefinition taken)
    {
        var domain = DomainXml.Parse(later.DomainXml);
        var disks = domain.Devices.Disks.ToArray();
        foreach (var overlay in overlays)
        {
            var i = Array.FindIndex(disks, d => d.TargetDev == overlay.Name);
            if (i >= 0 && taken.Devices.Disks.FirstOrDefault(d => d.TargetDev == overlay.Name) is { } parent)
                disks[i] = OverlayRemoval.InSnapshot(disks[i], overlay.SourcePath!, parent, later.External);
        }
        if (disks.SequenceEqual(domain.Devices.Disks))
            return null;
        return later with { DomainXml = DomainXml.Format(domain with { Devices = domain.Devices with { Disks = disks } }, secure: true) };
    }
}
