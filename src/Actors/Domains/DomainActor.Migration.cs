using Akka.Actor;
using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Events;
using Virt.Protocol.Api;
using Virt.Supervisor.Migration;
using Virt.Supervisor.Save;
using static Virt.Protocol.Api.DomainJobs;

namespace Virt.Actors.Domains;

// Live migration between cluster nodes. Source: migrate (the vCPUs stop at the switch-over: paused (migrating)), then
// the confirm ends QEMU (shut off (migrated)) or gives the guest back. Destination: QEMU started with -incoming defer
// and listening (paused (migrating)), then the finish waits for the stream and runs the vCPUs (running (migrated)).
public sealed partial class DomainActor
{
    /// <summary>The start in progress waits for a migration stream (set from <see cref="Start.IncomingUri"/>).</summary>
    private bool _incoming;

    /// <summary>Whether the guest ran when its migration began: a failed one runs again.</summary>
    private bool _migrationWasRunning;

    private static readonly TimeSpan IncomingLimit = TimeSpan.FromMinutes(10);

    private void Migrate(RunningVm vm, MigrateOut m)
    {
        var wasRunning = vm.State.State == DomainState.Running;
        _migrationWasRunning = wasRunning;
        Apply(vm, new VmInput.MigrateAsked(), settle: false);
        var job = BeginJob(JobKind.Migrate, completed: r =>
        {
            _completedJob = new JobStats(DomainJobType.Completed, MigrationJobStats.From(r, DomainJobOperation.MigrationOut, InFlight!.ElapsedMs));
            return Summary();
        }, failed: () => Apply(vm, new VmInput.MigrateFailed(wasRunning)), operation: DomainJobOperation.MigrationOut);
        var (qmp, timeout, token, abort) = (vm.Process!.Qmp, Settings.QmpTimeout, job.Token, job.Abort!.Token);
        Task.Run(async () =>
        {
            if (!m.Live && wasRunning)
                await qmp.ExecuteAsync("stop", null, timeout).ConfigureAwait(false);
            // --timeout: the vCPUs stop if it still runs then (the STOP is the migration's: paused (migrating)); never after it ended.
            using var ended = CancellationTokenSource.CreateLinkedTokenSource(abort);
            if (m.SuspendAfter is { } after && m.Live && wasRunning)
                _ = SuspendLaterAsync(qmp, after, timeout, ended.Token);
            try
            {
                return await LiveMigration.SendAsync(qmp, m.Uri, timeout, abort).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                throw new Protocol.Errors.VirtException(Protocol.Errors.ErrorCode.OperationAborted, "operation aborted: migration out job: canceled by client");
            }
            finally
            {
                await ended.CancelAsync().ConfigureAwait(false);
            }
        }).PipeTo(Self, success: r => new JobDone(token, r, null), failure: e => new JobDone(token, default, e));
    }

    private static async Task SuspendLaterAsync(Supervisor.Qmp.QmpClient qmp, TimeSpan after, TimeSpan timeout, CancellationToken ended)
    {
        try
        {
            await Task.Delay(after, ended).ConfigureAwait(false);
            await qmp.ExecuteAsync("stop", null, timeout, ended).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the migration ended first
        }
    }

    private void AcceptStream(RunningVm vm)
    {
        var job = BeginJob(JobKind.Migrate, completed: _ =>
        {
            vm.Owner = null; // the guest is ours now: a restart reconnects it (the status write below records that)
            Apply(vm, new VmInput.IncomingDone());
            return Summary();
        }, operation: DomainJobOperation.MigrationIn);
        var (qmp, timeout, token) = (vm.Process!.Qmp, Settings.QmpTimeout, job.Token);
        Task.Run(async () =>
        {
            await LiveMigration.WaitIncomingAsync(qmp, timeout, IncomingLimit, CancellationToken.None).ConfigureAwait(false);
            await qmp.ExecuteAsync("cont", null, timeout).ConfigureAwait(false);
            return default(System.Text.Json.JsonElement);
        }).PipeTo(Self, success: r => new JobDone(token, r, null), failure: e => new JobDone(token, default, e));
    }

    /// <summary>Confirmed: answered once this QEMU is gone (shut off (migrated)); given back: at once, the guest running on here.</summary>
    private void Confirm(RunningVm vm, ConfirmMigration m)
    {
        BeginJob(JobKind.Migrate);
        if (!m.Succeeded)
        {
            Apply(vm, new VmInput.MigrateFailed(_migrationWasRunning));
            EndJob(Summary());
            return;
        }
        _jobs.Update(InFlight! with { SucceedsOnStop = true });
        Apply(vm, new VmInput.MigrateConfirmed());
    }
}
