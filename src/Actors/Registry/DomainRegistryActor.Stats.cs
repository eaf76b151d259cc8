using Akka.Actor;
using Virt.Actors.Domains;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainQueries;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

// Bulk statistics: every domain asked at once, running ones by their actors, shut-off ones from their configs off the
// registry's thread; one answer when all are in.
public sealed partial class DomainRegistryActor
{
    private void ReceiveStats()
    {
        Receive<GetDomainStats>(Stats);
        Receive<GetMemoryStats>(m => ForwardToDomain(m.Domain, m));
        Receive<DomainJobs.GetJobStats>(m => ForwardToDomain(m.Domain, m));
        Receive<DomainJobs.AbortJob>(m => ForwardToDomain(m.Domain, m));
    }

    private void Stats(GetDomainStats m)
    {
        var entries = new List<DomainEntry>();
        if (m.Domains.Count > 0)
        {
            foreach (var domain in m.Domains)
            {
                if (_state.Find(domain) is not { } found)
                {
                    Sender.Tell(RegistryState.NotFound(domain).Reply);
                    return;
                }
                entries.Add(found);
            }
        }
        else
        {
            foreach (var summary in _state.List(m.Filter).Domains)
                entries.Add(_state.Find(summary.Uuid)!);
        }
        var groups = DomainStatsRecords.Effective(m.Groups);
        var wait = _runtime.Settings.QmpTimeout + TimeSpan.FromSeconds(1);
        var records = entries.Select(entry => entry.Active && Child(entry.Uuid) is { } child
            ? AskStats(child, entry, groups, wait)
            : Task.Run(() => DomainStatsRecords.Inactive(entry, groups)));
        Task.WhenAll(records).PipeTo(Sender, success: r => (IDomainReply)new DomainStatsList(r),
            failure: e => new ErrorReply(Protocol.Errors.ErrorCode.InternalError, $"cannot read domain stats: {e.Message}"));
    }

    /// <summary>A running domain's record; one that cannot answer in time still gets its state, as libvirt's NOWAIT records do.</summary>
    private static async Task<DomainStatsRecord> AskStats(IActorRef child, DomainEntry entry, DomainStatsGroups groups, TimeSpan wait)
    {
        try
        {
            return await child.Ask(new DomainActor.CollectStats(groups), wait).ConfigureAwait(false) switch
            {
                DomainStatsRecord record => record,
                _ => DomainStatsRecords.Of(entry, entry.Id, entry.State, entry.Reason, groups & DomainStatsGroups.State, []),
            };
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return DomainStatsRecords.Of(entry, entry.Id, entry.State, entry.Reason, groups & DomainStatsGroups.State, []);
        }
    }
}
