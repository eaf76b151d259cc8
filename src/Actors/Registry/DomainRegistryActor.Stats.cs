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
        Receive<DomainResources.SetMemory>(m => ChangeResources(m.Domain, m.Flags, m,
            d => ResourceChanges.WithMemory(d, m.KiB, m.Flags.HasFlag(DomainModificationFlags.Maximum))));
        Receive<DomainResources.SetVcpus>(m => ChangeResources(m.Domain, m.Flags, m,
            d => ResourceChanges.WithVcpus(d, m.Count, m.Flags.HasFlag(DomainModificationFlags.Maximum))));
    }

    /// <summary>
    /// The config part is saved here, atomically, as a redefine; the live part goes to the domain's actor (QEMU's
    /// balloon), which answers. With both, the config is saved first.
    /// </summary>
    private void ChangeResources(DomainRef domain, DomainModificationFlags flags, object command, Func<Protocol.Domains.DomainDefinition, Protocol.Domains.DomainDefinition> change)
    {
        if (_state.Find(domain) is not { } entry)
        {
            Sender.Tell(RegistryState.NotFound(domain).Reply);
            return;
        }
        bool live;
        try
        {
            (live, var config) = ResourceChanges.Targets(flags, entry.Active, entry.Persistent);
            if (config)
            {
                var reply = Define(change(entry.Config));
                if (reply is ErrorReply || !live)
                {
                    Sender.Tell(reply is ErrorReply ? reply : _state.Find(entry.Uuid)!.ToSummary());
                    return;
                }
            }
        }
        catch (Protocol.Errors.VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return;
        }
        if (live)
            ForwardToDomain(domain, command);
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
