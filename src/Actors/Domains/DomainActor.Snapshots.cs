using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Qmp;

namespace Virt.Actors.Domains;

// Internal snapshots of a running domain: QEMU's savevm, loadvm and delvm (through HMP, which runs them to their end),
// as jobs. The registry keeps the metadata; this only runs them.
public sealed partial class DomainActor
{
    /// <summary>From the registry: one HMP snapshot command; <paramref name="RunAfter"/> the vCPUs' state a revert ends in (null: as they are).</summary>
    internal sealed record SnapshotJob(string Hmp, bool? RunAfter);

    private void RunSnapshotJob(RunningVm vm, SnapshotJob m)
    {
        var wasRunning = vm.State.State == DomainState.Running;
        Apply(vm, new VmInput.SnapshotAsked(), settle: false);
        var job = BeginJob(JobKind.Snapshot, completed: r =>
        {
            Apply(vm, new VmInput.SnapshotDone(r.GetBoolean()));
            return Recorded(vm);
        }, failed: () => Apply(vm, new VmInput.SnapshotDone(wasRunning)), operation: SnapshotOperation(m.Hmp));
        var (qmp, timeout, token) = (vm.Process!.Qmp, Settings.QmpTimeout, job.Token);
        HmpSnapshotAsync(qmp, m.Hmp, wasRunning, m.RunAfter, timeout)
            .PipeTo(Self, success: running => new JobDone(token, JsonDocument.Parse(running ? "true" : "false").RootElement.Clone(), null),
                failure: e => new JobDone(token, default, e));
    }

    /// <summary>As libvirt: creating and reverting are jobs domjobinfo shows; deleting is not.</summary>
    private static DomainJobOperation? SnapshotOperation(string hmp) =>
        hmp.StartsWith("savevm", StringComparison.Ordinal) ? DomainJobOperation.Snapshot
        : hmp.StartsWith("loadvm", StringComparison.Ordinal) ? DomainJobOperation.SnapshotRevert
        : null;

    /// <summary>The command, then the vCPUs as asked (or, after a failure, as they were: a failed loadvm leaves them stopped).</summary>
    private static async Task<bool> HmpSnapshotAsync(QmpClient qmp, string hmp, bool wasRunning, bool? runAfter, TimeSpan timeout)
    {
        var reply = await qmp.ExecuteAsync("human-monitor-command", new JsonObject { ["command-line"] = hmp }, timeout).ConfigureAwait(false);
        var error = reply.ValueKind == JsonValueKind.String ? reply.GetString()!.Trim() : "";
        var want = error.Length == 0 ? runAfter ?? wasRunning : wasRunning;
        var running = (await qmp.ExecuteAsync("query-status", null, timeout).ConfigureAwait(false)).GetProperty("running").GetBoolean();
        if (want != running)
            await qmp.ExecuteAsync(want ? "cont" : "stop", null, timeout).ConfigureAwait(false);
        return error.Length == 0 ? want : throw new VirtException(ErrorCode.OperationFailed, error.StartsWith("Error: ", StringComparison.Ordinal) ? error[7..] : error);
    }
}
