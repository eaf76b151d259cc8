using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Save;
using static Virt.Protocol.Api.DomainJobs;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// domjobinfo and domjobabort: answered beside the job they look at, never queued behind it. A save's figures come
// from QEMU's query-migrate; the other long jobs report their operation and time only, as libvirt's do.
public sealed partial class DomainActor
{
    /// <summary>The last long job that completed, for domjobinfo --completed; forgotten once read unless kept.</summary>
    private JobStats? _completedJob;

    private void JobStatsOf(GetJobStats m)
    {
        if (m.Flags.HasFlag(DomainJobStatsFlags.Completed))
        {
            _from.Tell(_completedJob is { } done && InFlight?.Operation is null ? done : JobStats.None);
            if (!m.Flags.HasFlag(DomainJobStatsFlags.KeepCompleted))
                _completedJob = null;
            return;
        }
        if (_vm is null)
        {
            _from.Tell(NotRunning());
            return;
        }
        if (InFlight is not { Operation: { } operation } job)
        {
            _from.Tell(JobStats.None);
            return;
        }
        if (operation is not (DomainJobOperation.Save or DomainJobOperation.MigrationOut) || _vm.Process is not { } process)
        {
            _from.Tell(new JobStats(DomainJobType.Unbounded,
                [TypedParameter.Int(JobFields.Operation, (int)operation), TypedParameter.ULLong(JobFields.TimeElapsed, job.ElapsedMs)]));
            return;
        }
        process.Qmp.ExecuteAsync("query-migrate", null, Settings.QmpTimeout)
            .PipeTo(_from, success: r => (IDomainReply)new JobStats(DomainJobType.Unbounded, MigrationJobStats.From(r, operation, job.ElapsedMs)),
                failure: e => Failure(e));
    }

    private void AbortJobOf()
    {
        if (_vm is null)
        {
            _from.Tell(NotRunning());
            return;
        }
        switch (InFlight)
        {
            case { Abort: { } abort } when _vm.Process is { } process:
                abort.Cancel();
                // The save's wait sees the migration cancelled and ends the job with OPERATION_ABORTED.
                process.Qmp.ExecuteAsync("migrate_cancel", null, Settings.QmpTimeout)
                    .PipeTo(_from, success: _ => (IDomainReply)Summary(), failure: e => Failure(e));
                return;
            case { Operation: DomainJobOperation.Start or DomainJobOperation.Restore }:
                _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, "cannot abort VM start; use virDomainDestroy instead"));
                return;
            case { Operation: DomainJobOperation.Snapshot or DomainJobOperation.SnapshotRevert }:
                _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, "an internal snapshot cannot be aborted once QEMU runs it"));
                return;
            default:
                _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, "no job is active on the domain"));
                return;
        }
    }
}
