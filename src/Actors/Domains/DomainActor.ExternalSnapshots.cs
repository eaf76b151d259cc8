using Akka.Actor;
using Virt.Actors.Registry;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Live;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// External disk-only snapshots of a running domain: planned against the live definition (it knows hot-plugged disks),
// the overlays put on through QMP in one transaction, then the live definition moved onto them and the status written.
public sealed partial class DomainActor
{
    /// <summary>From the registry: the snapshot's name, its disks as asked, and whether the overlay files are the caller's.</summary>
    internal sealed record ExternalSnapshotJob(string Name, IReadOnlyList<SnapshotDisk> Disks, bool Reuse);

    /// <summary>The overlays are on: the live definition of before (the snapshot's), every disk's part, and the overlays made.</summary>
    internal sealed record ExternalSnapshotTaken(DomainDefinition Before, IReadOnlyList<SnapshotDisk> Disks, IReadOnlyList<SnapshotOverlay> Overlays) : IDomainReply;

    private void RunExternalSnapshot(RunningVm vm, ExternalSnapshotJob m)
    {
        IReadOnlyList<SnapshotDisk> aligned;
        IReadOnlyList<SnapshotOverlay> overlays;
        try
        {
            aligned = SnapshotDiskAlignment.Align(vm.Live, m.Disks, SnapshotLocation.External, m.Name, FileProbe.IsRegularFile);
            overlays = ExternalSnapshotPlan.Prepare(vm.Live, aligned, active: true, m.Reuse, Settings.Paths, FileProbe.Size);
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return;
        }
        var before = vm.Live;
        if (BeginMonitorJob(vm, JobKind.Snapshot, completed: _ =>
            {
                vm.Live = ExternalSnapshotPlan.Apply(vm.Live, overlays, OverlayChain.Complete);
                return WriteStatus(vm) is { } failure ? ErrorReply.From(failure) : new ExternalSnapshotTaken(before, ExternalSnapshotPlan.Recorded(aligned), overlays);
            }) is not var (job, process))
            return;
        var token = job.Token;
        var requests = overlays.Select(o => new OverlayRequest(o.Disk.SourcePath!, o.Disk.DriverType ?? "raw", o.Path, m.Reuse)).ToList();
        DiskOverlays.TakeAsync(process.Qmp, requests, $"snap{NextToken()}", Settings.QmpTimeout)
            .PipeTo(Self, success: () => new JobDone(token, default, null), failure: e => new JobDone(token, default, e));
    }
}
