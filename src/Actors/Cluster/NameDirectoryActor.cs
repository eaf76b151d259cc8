using Akka.Actor;
using Akka.DistributedData;
using Akka.Event;
using Virt.Protocol.Remote;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Cluster;

/// <summary>
/// The cluster's one name directory (a cluster singleton): it serialises every claim on a domain name, and records
/// each grant on a majority of the nodes (distributed data, written with WriteMajority) before it answers. The
/// replicas outlive the singleton's node, so the next incarnation reads them back (ReadMajority) and still knows the
/// names of nodes that are gone: no name is handed out that the cluster cannot prove free.
/// </summary>
public sealed class NameDirectoryActor : ReceiveActor, IWithStash, IWithTimers
{
    public static readonly LWWDictionaryKey<string, string> Key = new("virt-names");

    /// <summary>How long a granted name survives a sync that lacks it: the define it was granted for may be under way.</summary>
    private static readonly TimeSpan GrantGrace = TimeSpan.FromSeconds(30);

    private sealed record Loaded(IReadOnlyDictionary<string, string> Entries);
    private sealed record LoadFailed;
    private sealed record Write(IActorRef ReplyTo, object Success, object Failure);

    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, DateTime> _granted = new(StringComparer.Ordinal);
    private ClusterNames _names = new();
    private long _epoch;

    public NameDirectoryActor(TimeSpan timeout)
    {
        _timeout = timeout;
        Receive<GetSuccess>(g => Become(Serving(g.Get(Key).Entries)));
        Receive<NotFound>(_ => Become(Serving(new Dictionary<string, string>())));
        Receive<GetFailure>(_ =>
        {
            _log.Warning("Name directory: no majority answered the read of the names; retrying");
            Timers.StartSingleTimer("load", LoadFailedMessage, TimeSpan.FromSeconds(1));
        });
        Receive<LoadFailed>(_ => Load());
        ReceiveAny(_ => Stash.Stash());
    }

    private static readonly LoadFailed LoadFailedMessage = new();

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TimeSpan timeout) => Akka.Actor.Props.Create(() => new NameDirectoryActor(timeout));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, Akka.Cluster.ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(Akka.Cluster.ClusterEvent.MemberUp));
        Load();
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private void Load() => _replicator.Tell(Dsl.Get(Key, new ReadMajority(_timeout)));

    private Action Serving(IReadOnlyDictionary<string, string> entries) => () =>
    {
        _names = ClusterNames.From(entries.Select(e => new KeyValuePair<string, NameClaim>(e.Key, NameClaim.Decode(e.Value))));
        _log.Info("Name directory serving {Count} names", _names.Claims.Count);
        Stash.UnstashAll();
        Receive<ClaimName>(Claim);
        Receive<ReleaseName>(Release);
        Receive<TransferName>(Transfer);
        Receive<SyncNames>(Sync);
        Receive<LocateName>(l => Sender.Tell(new NameLocated(
            l.Name is { } name ? _names.Claims.GetValueOrDefault(name)?.Node
            : l.Uuid is { } uuid ? _names.FindUuid(uuid)?.Value.Node : null)));
        Receive<UpdateSuccess>(u => { if (u.Request is Write w) w.ReplyTo.Tell(w.Success); });
        Receive<IUpdateFailure>(f =>
        {
            // The write stays on this node and spreads later: the names are held, which errs on the safe side.
            if (f is IUpdateResponse { Request: Write w })
                w.ReplyTo.Tell(w.Failure);
        });
        Receive<GetSuccess>(_ => { });
        Receive<NotFound>(_ => { });
        Receive<Akka.Cluster.ClusterEvent.MemberUp>(up => Spread(up.Member.Address));
        Receive<Akka.Cluster.ClusterEvent.IClusterDomainEvent>(_ => { });
    };

    /// <summary>
    /// A node that just came up holds none of the names yet, and gossip would take a round to bring them; were this node
    /// lost in between, the names written only here would be lost with it. A write to every node now closes that window.
    /// </summary>
    private void Spread(Akka.Actor.Address joined)
    {
        _epoch++;
        _log.Debug("Name directory: spreading {Count} names to every node, {Node} having come up", _names.Claims.Count, joined);
        var all = _names.Claims.ToList();
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, string>.Empty, new WriteAll(_timeout), null, names =>
        {
            names = names.SetItem(_cluster, ClusterNames.EpochKey, _epoch.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (name, claim) in all)
                names = names.SetItem(_cluster, name, claim.Encode());
            return names;
        }));
    }

    private void Claim(ClaimName claim)
    {
        if (_names.Conflict(claim.Name, claim.Uuid, claim.Node) is { } conflict)
        {
            Sender.Tell(new NameClaimed(false, false, true, conflict));
            return;
        }
        if (_names.Holds(claim.Name, claim.Node) && (claim.Uuid is null || _names.Claims[claim.Name].Uuid == claim.Uuid))
        {
            Sender.Tell(new NameClaimed(true, false, false, null));
            return;
        }
        var fresh = !_names.Holds(claim.Name, claim.Node);
        var entry = new NameClaim(claim.Node, claim.Uuid ?? _names.Claims.GetValueOrDefault(claim.Name)?.Uuid);
        _names.Set(claim.Name, entry);
        _granted[claim.Name] = DateTime.UtcNow;
        WriteChanges([new(claim.Name, entry)], [], new Write(Sender, new NameClaimed(true, fresh, false, null),
            new NameClaimed(false, false, false, $"cannot prove the name '{claim.Name}' free: a majority of the cluster did not confirm within {_timeout.TotalSeconds:0} s")));
    }

    private void Transfer(TransferName transfer)
    {
        if (!_names.Holds(transfer.Name, transfer.From))
        {
            Sender.Tell(new NameClaimed(false, false, false, $"node {transfer.From} does not hold the name '{transfer.Name}'"));
            return;
        }
        var claim = new NameClaim(transfer.To, transfer.Uuid);
        _names.Set(transfer.Name, claim);
        _granted[transfer.Name] = DateTime.UtcNow; // the old holder's sync may still list it for a moment
        WriteChanges([new(transfer.Name, claim)], [], new Write(Sender, new NameClaimed(true, false, false, null),
            new NameClaimed(false, false, false, $"the move of '{transfer.Name}' was not confirmed by a majority of the cluster within {_timeout.TotalSeconds:0} s")));
    }

    private void Release(ReleaseName release)
    {
        if (!_names.Holds(release.Name, release.Node))
            return;
        _names.Remove(release.Name);
        _granted.Remove(release.Name);
        WriteChanges([], [release.Name], null);
    }

    private void Sync(SyncNames sync)
    {
        var now = DateTime.UtcNow;
        foreach (var stale in _granted.Where(g => now - g.Value > GrantGrace).Select(g => g.Key).ToList())
            _granted.Remove(stale);
        var changes = _names.Sync(sync.Node, sync.Domains, _granted.Keys.ToHashSet(StringComparer.Ordinal));
        foreach (var clash in changes.Clashes)
            _log.Error("Domain '{Name}' ({Uuid}) on node {Node} clashes with node {Holder}, which holds its name or UUID; it is left as it is",
                clash.Name, clash.Uuid, sync.Node, clash.Holder);
        var reply = new NamesSynced(changes.Clashes);
        if (changes.Any)
            WriteChanges(changes.Set, changes.Removed, new Write(Sender, reply, reply));
        else
            Sender.Tell(reply);
    }

    private void WriteChanges(IReadOnlyList<KeyValuePair<string, NameClaim>> set, IReadOnlyList<string> removed, Write? write)
    {
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, string>.Empty, new WriteMajority(_timeout), write, names =>
        {
            foreach (var name in removed)
                names = names.Remove(_cluster, name);
            foreach (var (name, claim) in set)
                names = names.SetItem(_cluster, name, claim.Encode());
            return names;
        }));
    }
}
