using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Cluster;

/// <summary>
/// What the connections talk to on a cluster node (/user/cluster), in front of the node's own registry: a define
/// first claims its name from the cluster's name directory; a command on a domain another node holds goes to that
/// node's registry; a list with hosts asks every node. The node's domains stay its own registry's alone.
/// </summary>
public sealed partial class ClusterFrontActor : ReceiveActor, IWithTimers
{
    public const string Name = "cluster";

    private sealed record SyncTick
    {
        public static readonly SyncTick Instance = new();
    }

    private sealed record LocalDomains(IReadOnlyList<DomainSummary> Domains);
    private sealed record SyncFinished(NamesSynced? Synced, string? Failure);
    private sealed record Claimed(object Request, IActorRef ReplyTo, string Domain, NameClaimed Answer);
    private sealed record Defined(IActorRef ReplyTo, object Reply, string Domain, bool Fresh, bool Placed);
    private sealed record Placed(object Request, IActorRef ReplyTo, IReadOnlyList<NodeCapacity> Answers, int Asked);
    private sealed record Undefined(IActorRef ReplyTo, object Reply, string Node, IDomainCommand Command);
    private sealed record Located(IDomainCommand Command, IActorRef ReplyTo, string? Node);
    private sealed record MoveBegins(string Domain);
    private sealed record ForwardAnswered(long Id, object Reply);
    private sealed record Relay(IActorRef ReplyTo, object Reply);
    /// <summary>This node gave the domain to <paramref name="Node"/>: its replica of the names says so before gossip does.</summary>
    private sealed record NameMoved(string Domain, string Uuid, string Node);
    private sealed record Moved(IActorRef ReplyTo, object Reply, string? Domain);

    private readonly IActorRef _local;
    private readonly IActorRef _directory;
    private readonly ClusterSettings _settings;
    private readonly Supervisor.Capabilities.CapabilitiesCache _capabilities;
    private readonly string _defaultEmulator;
    private readonly TimeSpan _callTimeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly IActorRef _mediator = Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.Get(Context.System).Mediator;
    private readonly ClusterMembers _members = new();

    /// <summary>The cluster-wide topic every node publishes its domains' lifecycle events on.</summary>
    private const string EventTopic = "virt-domain-events";
    private readonly HashSet<string> _reportedClashes = new(StringComparer.Ordinal);
    /// <summary>Domains being moved to another node: left out of syncs, which would report them held twice.</summary>
    private readonly HashSet<string> _moving = new(StringComparer.Ordinal);
    private ClusterNames _claims = new();
    /// <summary>Commands sent to other nodes, not answered yet: a node that becomes unreachable fails its own at once.</summary>
    private readonly Dictionary<long, (string Node, IActorRef ReplyTo, IDomainCommand Command)> _forwarded = [];
    private long _nextForward;
    private bool _syncing;
    private bool _syncAgain;

    public ClusterFrontActor(IActorRef local, IActorRef directory, ClusterSettings settings, TimeSpan callTimeout,
        Supervisor.Capabilities.CapabilitiesCache capabilities, string defaultEmulator)
    {
        _local = local;
        _directory = directory;
        _settings = settings;
        _capabilities = capabilities;
        _defaultEmulator = defaultEmulator;
        _callTimeout = callTimeout;

        Receive<ClusterEvent.MemberUp>(up => MemberUp(up.Member));
        Receive<ClusterEvent.MemberRemoved>(removed =>
        {
            _members.Removed(removed.Member.UniqueAddress);
            if (ClusterMembers.NameOf(removed.Member.Roles) is { } node && _members.Find(node) is null)
                FailForwarded(node);
        });
        Receive<ForwardAnswered>(f =>
        {
            if (!_forwarded.Remove(f.Id, out var pending))
                return;
            if (f.Reply is ErrorReply { Code: ErrorCode.NoDomain })
                Relocate(pending.Command, pending.ReplyTo, pending.Node, f.Reply);
            else
                pending.ReplyTo.Tell(f.Reply);
        });
        Receive<Relay>(r => r.ReplyTo.Tell(r.Reply));
        Receive<ClusterEvent.UnreachableMember>(u =>
        {
            _members.SetReachable(u.Member.UniqueAddress, false);
            if (ClusterMembers.NameOf(u.Member.Roles) is { } node)
                FailForwarded(node);
        });
        Receive<ClusterEvent.ReachableMember>(r => _members.SetReachable(r.Member.UniqueAddress, true));
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<Changed>(c => c.Key.Equals(NameDirectoryActor.Key), c =>
        {
            _claims = ClusterNames.From(c.Get(NameDirectoryActor.Key).Entries.Select(e => new KeyValuePair<string, NameClaim>(e.Key, NameClaim.Decode(e.Value))));
            _moving.RemoveWhere(name => _claims.Claims.GetValueOrDefault(name)?.Node == Self_); // an incoming domain now ours
        });
        Receive<SyncTick>(_ => Sync());
        Receive<LocalDomains>(SendSync);
        Receive<SyncFinished>(Synced);
        Receive<ListDomains>(l => l.AcrossCluster, ListAcross);
        Receive<DefineDomain>(d => Claim(d, d.Xml));
        Receive<CreateDomain>(c => Claim(c, c.Xml));
        Receive<OwnedStart>(Owned);
        Receive<Claimed>(ClaimAnswered);
        Receive<AskCapacity>(ask => CapacityAsync(ask).PipeTo(Sender));
        Receive<Placed>(PlacementAnswered);
        Receive<Defined>(DefineAnswered);
        Receive<Undefined>(u => u.Reply is ErrorReply { Code: ErrorCode.NoDomain } && u.Node != Self_, u => Relocate(u.Command, u.ReplyTo, u.Node, u.Reply));
        Receive<Undefined>(u =>
        {
            u.ReplyTo.Tell(u.Reply);
            // The name is free at once; a sync would keep a name granted moments ago for its grace period.
            if (u.Reply is DomainSummary { Active: false } undefined) // a running domain undefined stays, transient, under its name
                _directory.Tell(new ReleaseName(undefined.Name.Value, u.Node));
        });
        Receive<Located>(l =>
        {
            if (l.Node is { } node && node != Self_)
                Forward(l.Command, node, l.ReplyTo);
            else
                Local(l.Command, l.ReplyTo);
        });
        Receive<AcceptMoved>(accept => _local.Ask<object>(new DefineDomain(accept.Xml), _callTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : new ErrorReply(ErrorCode.OperationTimeout, "the move's define did not answer"), TaskScheduler.Default)
            .PipeTo(Sender));
        Receive<MoveBegins>(m => _moving.Add(m.Domain));
        Receive<NameMoved>(m => _claims.Set(m.Domain, new NameClaim(m.Node, m.Uuid)));
        Receive<PrepareIncoming>(PrepareIncoming);
        Receive<FinishIncomingOn>(f => _local.Ask<object>(new DomainRegistryActor.FinishIncoming(DomainRef.ByUuid(DomainUuid.Parse(f.Uuid))), _callTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : new ErrorReply(ErrorCode.OperationTimeout, "the incoming migration did not finish"),
                TaskScheduler.Default)
            .PipeTo(Sender));
        Receive<AbandonIncoming>(a =>
        {
            _moving.Remove(a.Name);
            _local.Tell(new DestroyDomain(DomainRef.ByUuid(DomainUuid.Parse(a.Uuid))), ActorRefs.NoSender);
        });
        Receive<Moved>(m =>
        {
            if (m.Domain is { } name)
                _moving.Remove(name);
            m.ReplyTo.Tell(m.Reply);
            Sync();
        });
        Receive<DomainLifecycleEvent>(e => e.Host is null, e =>
            _mediator.Tell(new Akka.Cluster.Tools.PublishSubscribe.Publish(EventTopic, new NodeDomainEvent(Self_, e))));
        Receive<DomainLifecycleEvent>(_ => { }); // another node's, which this front put on the stream itself
        Receive<NodeDomainEvent>(n => n.Node != Self_, n => Context.System.EventStream.Publish(n.Event with { Host = n.Node }));
        Receive<NodeDomainEvent>(_ => { });
        Receive<Akka.Cluster.Tools.PublishSubscribe.SubscribeAck>(_ => { });
        Receive<IDomainCommand>(command => Route(command, Sender));
        ReceiveAny(message => _local.Forward(message));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef local, IActorRef directory, ClusterSettings settings, TimeSpan callTimeout,
        Supervisor.Capabilities.CapabilitiesCache capabilities, string defaultEmulator) =>
        Akka.Actor.Props.Create(() => new ClusterFrontActor(local, directory, settings, callTimeout, capabilities, defaultEmulator));

    private string Self_ => _settings.NodeName;

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        DistributedData.Get(Context.System).Replicator.Tell(Dsl.Subscribe(NameDirectoryActor.Key, Self));
        // Every client of any node hears every node's domains (libvirt's clients only their own node's).
        Context.System.EventStream.Subscribe(Self, typeof(DomainLifecycleEvent));
        _mediator.Tell(new Akka.Cluster.Tools.PublishSubscribe.Subscribe(EventTopic, Self));
        Timers.StartPeriodicTimer("sync", SyncTick.Instance, TimeSpan.FromMilliseconds(200), _settings.SyncInterval);
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void MemberUp(Member member)
    {
        if (ClusterMembers.NameOf(member.Roles) is not { } name)
            return;
        if (_members.Find(name) is { } known && known.Member != member.UniqueAddress && known.Address != member.Address)
            _log.Error("Two cluster members call themselves {Node}: {First} and {Second}; commands go to the later one",
                name, known.Address, member.Address);
        _members.Up(name, member.UniqueAddress);
    }

    /// <summary>The node this node's replica of the names says holds the domain; null when it knows no holder.</summary>
    private string? KnownOwner(DomainRef? domain) => domain switch
    {
        { Name: { } name } => _claims.Claims.GetValueOrDefault(name.Value)?.Node,
        { Uuid: { } uuid } => _claims.FindUuid(uuid.ToString())?.Value.Node,
        _ => null, // ids are numbered per node
    };

    /// <summary>The other node holding the domain, if the replica knows one.</summary>
    private string? RemoteOwner(DomainRef? domain) => KnownOwner(domain) is { } node && node != Self_ ? node : null;

    private void Route(IDomainCommand command, IActorRef replyTo)
    {
        var domain = CommandTargets.Of(command);
        var owner = KnownOwner(domain);
        if (owner is not null && owner != Self_)
        {
            Forward(command, owner, replyTo);
            return;
        }
        if (owner is null && domain is { Id: null })
        {
            // Defined on another node a moment ago, perhaps: the directory knows before this node's replica does.
            _directory.Ask<NameLocated>(new LocateName(domain.Name?.Value, domain.Uuid?.ToString()), _settings.AskTimeout)
                .PipeTo(Self, success: located => new Located(command, replyTo, located.Node), failure: _ => new Located(command, replyTo, null));
            return;
        }
        Local(command, replyTo);
    }

    /// <summary>To this node's registry; an undefine tells the directory at once, so the name is free for other nodes.</summary>
    private void Local(IDomainCommand command, IActorRef replyTo)
    {
        if (command is UndefineDomain)
            Undefine(_local, command, replyTo, Self_);
        else if (command is MigrateDomain migrate)
            Move(migrate, replyTo);
        else
            _local.Tell(command, replyTo);
    }

    private void Forward(IDomainCommand command, string owner, IActorRef replyTo)
    {
        if (Procedures.IsLocalOnly(command) || command is ConsoleCommands.OpenConsole)
        {
            replyTo.Tell(new ErrorReply(ErrorCode.ConfigUnsupported,
                $"the domain lives on node {owner}: {Procedures.Describe(command)} needs a connection to that node's daemon"));
            return;
        }
        if (_members.Find(owner) is not { Reachable: true } node)
        {
            replyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, $"the domain lives on node {owner}, which cannot be reached (host unreachable)"));
            return;
        }
        if (command is UndefineDomain)
            Undefine(RegistryOf(node), command, replyTo, owner);
        else if (command is MigrateDomain)
            FrontOf(node).Tell(command, replyTo); // the move is led by the domain's own node
        else
        {
            var id = ++_nextForward;
            _forwarded[id] = (owner, replyTo, command);
            RegistryOf(node).Ask<object>(command, _callTimeout).PipeTo(Self, success: reply => new ForwardAnswered(id, reply),
                failure: _ => new ForwardAnswered(id, new ErrorReply(ErrorCode.OperationTimeout,
                    $"node {owner} did not answer {Procedures.Describe(command)} within {_callTimeout.TotalSeconds:0} s")));
        }
    }

    /// <summary>
    /// Another node answered it has no such domain: this node's replica of the names may lag a move, so the directory
    /// says where the domain is now and the command goes there; if nowhere else, the answer stands.
    /// </summary>
    private void Relocate(IDomainCommand command, IActorRef replyTo, string tried, object answer)
    {
        if (CommandTargets.Of(command) is not { Id: null } domain)
        {
            replyTo.Tell(answer);
            return;
        }
        _directory.Ask<NameLocated>(new LocateName(domain.Name?.Value, domain.Uuid?.ToString()), _settings.AskTimeout).PipeTo(Self,
            success: located => located.Node is { } node && node != tried ? new Located(command, replyTo, node) : new Relay(replyTo, answer),
            failure: _ => new Relay(replyTo, answer));
    }

    /// <summary>The node cannot be reached: what was sent to it will get no answer, so its callers hear so now.</summary>
    private void FailForwarded(string node)
    {
        foreach (var (id, pending) in _forwarded.Where(f => f.Value.Node == node).ToList())
        {
            _forwarded.Remove(id);
            pending.ReplyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, $"the domain lives on node {node}, which cannot be reached (host unreachable)"));
        }
    }

    /// <summary>Undefines through <paramref name="registry"/> and gives the name back when the domain is gone.</summary>
    private void Undefine(ICanTell registry, IDomainCommand undefine, IActorRef replyTo, string node)
    {
        var asked = registry switch
        {
            ActorSelection selection => selection.Ask<object>(undefine, _callTimeout),
            IActorRef actor => actor.Ask<object>(undefine, _callTimeout),
            _ => throw new ArgumentException("a registry is an actor or a selection", nameof(registry)),
        };
        asked.PipeTo(Self, success: reply => new Undefined(replyTo, reply, node, undefine),
            failure: e => new Undefined(replyTo, new ErrorReply(ErrorCode.OperationTimeout, e.Message), node, undefine));
    }

    private ActorSelection RegistryOf(ClusterMembers.Node node) =>
        Context.ActorSelection(new RootActorPath(node.Address) / "user" / Hosting.DomainActorsHosting.RegistryName);
}
