using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Supervisor.Stats;
using static Virt.Protocol.Api.DomainQueries;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Statistics: read off the actor's thread (QMP queries sent together, then /proc) and answered from the task; no job,
// as libvirt's query jobs do not wait behind a start or a shutdown.
public sealed partial class DomainActor
{
    /// <summary>From the registry: this domain's stats record for the groups asked (already made effective).</summary>
    internal sealed record CollectStats(DomainStatsGroups Groups);

    private void Collect(CollectStats m)
    {
        var replyTo = _from;
        var entry = _entry;
        if (_vm is not { Process: { } process } vm)
        {
            var (state, reason, id, definition) = (State, Reason, _vm?.Id, _vm?.Live ?? entry.Config);
            Task.Run(() => DomainStatsRecords.Of(entry, id, state, reason, m.Groups, DomainStatsReader.ReadInactive(definition, m.Groups)))
                .PipeTo(replyTo, success: r => r, failure: e => Failure(e));
            return;
        }
        var (liveState, liveReason, live, vmId) = (State, Reason, vm.Live, vm.Id);
        DomainStatsReader.ReadLiveAsync(process.Qmp, process.Pid, live, m.Groups, Settings.QmpTimeout, vm.VcpuThreads)
            .PipeTo(replyTo, success: fields => DomainStatsRecords.Of(entry, vmId, liveState, liveReason, m.Groups, fields),
                failure: e => Failure(e));
    }

    private void MemoryStatsOf()
    {
        if (_vm is not { Process: { } process } vm)
        {
            _from.Tell(NotRunning());
            return;
        }
        DomainStatsReader.ReadMemoryAsync(process.Qmp, process.Pid, vm.Live, Settings.QmpTimeout)
            .PipeTo(_from, success: stats => (IDomainReply)new MemoryStats(stats), failure: e => Failure(e));
    }
}
