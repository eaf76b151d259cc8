using Akka.Actor;
using Akka.Event;
using Virt.Actors.Registry;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Live;
using Virt.Supervisor.Storage;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Deleting an external snapshot of a running domain: each overlay's place in the chain QEMU has open now, then the block
// commits; the disks that got off their overlay move in the live definition and the status file, whatever the rest did.
public sealed partial class DomainActor
{
    /// <summary>From the registry: the snapshot's overlays to merge into the images under them.</summary>
    internal sealed record ExternalSnapshotDeleteJob(IReadOnlyList<OverlayCommit> Commits);

    /// <summary>The commits' outcome, and the live definition after them (null for a shut-off domain, whose files qemu-img changed).</summary>
    internal sealed record ExternalSnapshotCommitted(DomainDefinition? Live, CommitResult Result) : IDomainReply;

    private sealed record CommitsDone(long Job, IReadOnlyList<OverlayCommit> Commits, CommitResult Result);

    /// <summary>Within the registry's wait for a snapshot verb (five minutes).</summary>
    private static readonly TimeSpan CommitLimit = TimeSpan.FromMinutes(4);

    private void RunExternalSnapshotDelete(RunningVm vm, ExternalSnapshotDeleteJob m)
    {
        if (BeginMonitorJob(vm, JobKind.Snapshot) is not var (job, process))
            return;
        var (token, live, qmp, timeout, prefix) = (job.Token, vm.Live, process.Qmp, Settings.QmpTimeout, $"commit{NextToken()}");
        CommitAsync().PipeTo(Self, success: r => new CommitsDone(token, m.Commits, r), failure: e => new JobDone(token, default, e));

        async Task<CommitResult> CommitAsync()
        {
            IReadOnlyList<CommitRequest> requests;
            try
            {
                var chains = ImageChains.FromQueryBlock(await qmp.ExecuteAsync("query-block", null, timeout).ConfigureAwait(false));
                requests = ExternalSnapshotDeletion.Place(m.Commits, live, chains);
            }
            catch (VirtException e)
            {
                return CommitResult.Refused(e);
            }
            return await BlockCommits.RunAsync(qmp, requests, prefix, timeout, CommitLimit).ConfigureAwait(false);
        }
    }

    private void FinishCommits(CommitsDone m)
    {
        if (InFlight?.Token != m.Job || _vm is not { } vm)
            return; // ended meanwhile (destroy, QEMU gone)
        var result = m.Result;
        var done = m.Commits.Where(c => result.Done.Contains(c.Disk)).ToList();
        if (done.Count > 0)
        {
            vm.Live = ExternalSnapshotDeletion.Apply(vm.Live, done);
            if (WriteStatus(vm) is { } failure)
            {
                Log.Warning("Domain {Domain}: status file not updated after a block commit: {Error}", Name, failure.Message);
                result = result with { Error = result.Error ?? failure };
            }
        }
        if (result.Error is { } error)
            Log.Warning("Domain {Domain}: deleting an external snapshot failed: {Error}", Name, error.Message);
        EndJob(new ExternalSnapshotCommitted(vm.Live, result));
    }
}
