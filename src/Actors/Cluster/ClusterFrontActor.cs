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
public sealed class ClusterFrontActor : ReceiveActor, IWithTimers
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

    private void Owned(OwnedStart owned)
    {
        if (owned.Command is CreateDomain create)
            Claim(owned, create.Xml);
        else if (RemoteOwner(CommandTargets.Of(owned.Command)) is { } owner)
            Sender.Tell(new ErrorReply(ErrorCode.ConfigUnsupported,
                $"the domain lives on node {owner}: autodestroy ties a domain to a client of its own node's daemon"));
        else
            _local.Forward(owned);
    }

    private static string? HostOf(object request) => request switch
    {
        DefineDomain d => d.Host,
        CreateDomain c => c.Host,
        OwnedStart { Command: CreateDomain c } => c.Host,
        _ => null,
    };

    private static object WithHost(object request, string? host) => request switch
    {
        DefineDomain d => d with { Host = host },
        CreateDomain c => c with { Host = host },
        OwnedStart { Command: CreateDomain c } owned => owned with { Command = c with { Host = host } },
        _ => request,
    };

    private void Claim(object request, string xml)
    {
        if (HostOf(request) is { } host && host != Self_)
        {
            Place(request, xml, host);
            return;
        }
        string name;
        Guid? uuid;
        try
        {
            (name, uuid) = DomainXml.ParseIdentity(xml);
        }
        catch (VirtException)
        {
            _local.Forward(request); // the registry names what is wrong with the XML
            return;
        }
        ClaimHere(request, name, uuid, Sender);
    }

    private void ClaimHere(object request, string name, Guid? uuid, IActorRef replyTo) =>
        _directory.Ask<NameClaimed>(new ClaimName(name, uuid?.ToString(), Self_), _settings.AskTimeout)
            .PipeTo(Self, success: answer => new Claimed(request, replyTo, name, answer),
                failure: e => new Claimed(request, replyTo, name, new NameClaimed(false, false, false,
                    $"cannot prove the name '{name}' free: the cluster's name directory did not answer within {_settings.AskTimeout.TotalSeconds:0} s")));

    /// <summary>`--host NODE` sends the request to that node's front; `--host auto` asks every node first.</summary>
    private void Place(object request, string xml, string host)
    {
        if (request is OwnedStart)
        {
            Sender.Tell(new ErrorReply(ErrorCode.ConfigUnsupported,
                "autodestroy ties a domain to a client of its own node's daemon: create it there, or without --host"));
            return;
        }
        if (host != Placement.Auto)
        {
            SendTo(request, host, Sender);
            return;
        }
        DomainDefinition definition;
        try
        {
            definition = DomainXml.Parse(xml);
        }
        catch (VirtException)
        {
            _local.Forward(WithHost(request, null)); // the registry names what is wrong with the XML
            return;
        }
        var ask = new AskCapacity(definition.MemoryKiB, definition.Devices.Emulator, definition.Os.Machine, definition.Type == DomainType.Kvm);
        var nodes = _members.Nodes.Where(n => n.Reachable).ToList();
        var answers = nodes.Select(node => node.Name == Self_
            ? CapacityAsync(ask)
            : FrontOf(node).Ask<NodeCapacity>(ask, _settings.AskTimeout)).ToList();
        var replyTo = Sender;
        Task.WhenAll(answers.Select(a => a.ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default)))
            .ContinueWith(t => new Placed(request, replyTo, [.. t.Result.OfType<NodeCapacity>()], nodes.Count), TaskScheduler.Default)
            .PipeTo(Self);
    }

    private void PlacementAnswered(Placed placed)
    {
        var (node, error) = Placement.Choose(placed.Answers, placed.Asked);
        if (node is null)
            placed.ReplyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, error!));
        else if (node == Self_)
        {
            var (name, uuid) = DomainXml.ParseIdentity(placed.Request is DefineDomain d ? d.Xml : ((CreateDomain)placed.Request).Xml);
            ClaimHere(WithHost(placed.Request, Self_), name, uuid, placed.ReplyTo);
        }
        else
            SendTo(placed.Request, node, placed.ReplyTo);
    }

    private void SendTo(object request, string node, IActorRef replyTo)
    {
        if (_members.Find(node) is not { } member)
            replyTo.Tell(new ErrorReply(ErrorCode.InvalidArg, $"no node named '{node}' in the cluster"));
        else if (!member.Reachable)
            replyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, $"node {node} cannot be reached (host unreachable)"));
        else
            FrontOf(member).Tell(WithHost(request, node), replyTo);
    }

    private ActorSelection FrontOf(ClusterMembers.Node node) => Context.ActorSelection(new RootActorPath(node.Address) / "user" / Name);

    /// <summary>This node's answer for placement: available memory, and whether its emulator can run the domain.</summary>
    private async Task<NodeCapacity> CapacityAsync(AskCapacity ask)
    {
        var (node, capabilities, emulator) = (Self_, _capabilities, ask.Emulator ?? _defaultEmulator);
        var available = Supervisor.Host.NodeMemory.AvailableKiB();
        try
        {
            var probed = await capabilities.GetAsync(Runtime.DomainRuntime.ResolveEmulator(emulator)).WaitAsync(_settings.AskTimeout).ConfigureAwait(false);
            return new NodeCapacity(node, available, Placement.Refusal(ask, probed, available));
        }
        catch (Exception e) when (e is VirtException or IOException or TimeoutException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new NodeCapacity(node, available, $"its emulator {emulator} cannot be used: {e.Message}");
        }
    }

    private void ClaimAnswered(Claimed claimed)
    {
        if (!claimed.Answer.Granted)
        {
            claimed.ReplyTo.Tell(new ErrorReply(claimed.Answer.Taken ? ErrorCode.DomainExists : ErrorCode.OperationFailed,
                $"{(claimed.Answer.Taken ? "operation failed: " : "")}{claimed.Answer.Reason}"));
            return;
        }
        var fresh = claimed.Answer.Fresh;
        var placed = HostOf(claimed.Request) is not null;
        _local.Ask<object>(WithHost(claimed.Request, null), _callTimeout).PipeTo(Self,
            success: reply => new Defined(claimed.ReplyTo, reply, claimed.Domain, fresh, placed),
            failure: e => new Defined(claimed.ReplyTo, new ErrorReply(ErrorCode.OperationTimeout, e.Message), claimed.Domain, fresh, placed));
    }

    private void DefineAnswered(Defined defined)
    {
        // A placed domain's answer says where it went.
        defined.ReplyTo.Tell(defined.Placed && defined.Reply is DomainSummary summary ? summary with { Host = Self_ } : defined.Reply);
        if (defined.Reply is ErrorReply && defined.Fresh)
            _directory.Tell(new ReleaseName(defined.Domain, Self_));
        else
            Sync();
    }

    /// <summary>
    /// An offline move (migrate --offline --persistent): the name passes to the destination in the directory, the
    /// destination defines the config, then this node undefines it; a failure at any step puts back what was done.
    /// </summary>
    private void Move(MigrateDomain migrate, IActorRef replyTo)
    {
        var offline = migrate.Flags.HasFlag(DomainMigrateFlags.Offline);
        var refusal =
            offline && migrate.Flags.HasFlag(DomainMigrateFlags.Live)
                ? new ErrorReply(ErrorCode.InvalidArg, "--live and --offline are mutually exclusive")
            : offline && !migrate.Flags.HasFlag(DomainMigrateFlags.Persistent)
                ? new ErrorReply(ErrorCode.InvalidArg, "offline migration requires --persistent")
            : migrate.TimeoutSeconds is < 1 ? new ErrorReply(ErrorCode.InvalidArg, "migrate timeout must be at least 1 second")
            : migrate.TimeoutSeconds is not null && !migrate.Flags.HasFlag(DomainMigrateFlags.Live)
                ? new ErrorReply(ErrorCode.InvalidArg, "migrate: --timeout requires --live")
            : migrate.Node == Self_ ? new ErrorReply(ErrorCode.OperationInvalid, $"the domain is already on node {Self_}")
            : _members.Find(migrate.Node) is not { } node ? new ErrorReply(ErrorCode.InvalidArg, $"no node named '{migrate.Node}' in the cluster")
            : !node.Reachable ? new ErrorReply(ErrorCode.OperationFailed, $"node {migrate.Node} cannot be reached (host unreachable)")
            : null;
        if (refusal is not null)
        {
            replyTo.Tell(refusal);
            return;
        }
        var destination = FrontOf(_members.Find(migrate.Node)!);
        (offline ? MoveAsync(migrate, destination, Self) : MigrateAsync(migrate, destination, Self))
            .PipeTo(Self, success: r => new Moved(replyTo, r.Reply, r.Domain),
                failure: e => new Moved(replyTo, new ErrorReply(ErrorCode.OperationFailed, $"the move did not complete: {e.Message}"), null));
    }

    private async Task<(object Reply, string? Domain)> MoveAsync(MigrateDomain migrate, ActorSelection destination, IActorRef self)
    {
        var (local, directory, source, timeout) = (_local, _directory, Self_, _callTimeout);
        if (await local.Ask<IDomainReply>(new LookupDomain(migrate.Domain), timeout).ConfigureAwait(false) is not DomainSummary domain)
            return (new ErrorReply(ErrorCode.NoDomain, $"Domain not found: no domain with matching {migrate.Domain}"), null);
        if (domain.Active)
            return (new ErrorReply(ErrorCode.OperationInvalid, "domain is running: migrate it without --offline, or shut it off first"), null);
        var name = domain.Name.Value;
        if (await local.Ask<IDomainReply>(new GetDomainXml(migrate.Domain, Inactive: true, Secure: true), timeout).ConfigureAwait(false)
            is not DomainXmlDescription config)
            return (new ErrorReply(ErrorCode.OperationFailed, $"cannot read the config of '{name}'"), null);
        self.Tell(new MoveBegins(name));
        var uuid = domain.Uuid.ToString();
        var transfer = await directory.Ask<NameClaimed>(new TransferName(name, uuid, source, migrate.Node), _settings.AskTimeout).ConfigureAwait(false);
        if (!transfer.Granted)
            return (new ErrorReply(ErrorCode.OperationFailed, transfer.Reason ?? "the name directory refused the move"), name);
        self.Tell(new NameMoved(name, uuid, migrate.Node));
        var accepted = await destination.Ask<object>(new AcceptMoved(config.Xml), timeout).ConfigureAwait(false);
        if (accepted is not DomainSummary moved)
        {
            directory.Tell(new TransferName(name, uuid, migrate.Node, source));
            self.Tell(new NameMoved(name, uuid, source));
            return (accepted, name);
        }
        if (await local.Ask<IDomainReply>(new UndefineDomain(migrate.Domain), timeout).ConfigureAwait(false) is ErrorReply undefineFailed)
        {
            // Both nodes have it now: the destination's copy goes, and the name comes back.
            await destination.Ask<object>(new UndefineDomain(DomainRef.ByUuid(domain.Uuid)), timeout).ConfigureAwait(false);
            directory.Tell(new TransferName(name, uuid, migrate.Node, source));
            return (undefineFailed, name);
        }
        return (moved with { Host = migrate.Node }, name);
    }

    /// <summary>
    /// A live migration, led by the source: the destination starts QEMU waiting for the stream, this QEMU sends it
    /// (domjobinfo and domjobabort follow it), the destination runs the guest, the name passes to it, this QEMU ends.
    /// Until the destination runs it the guest stays here: any failure ends the destination's QEMU and runs it on.
    /// </summary>
    private async Task<(object Reply, string? Domain)> MigrateAsync(MigrateDomain migrate, ActorSelection destination, IActorRef self)
    {
        var (local, directory, source, timeout) = (_local, _directory, Self_, _callTimeout);
        if (await local.Ask<IDomainReply>(new LookupDomain(migrate.Domain), timeout).ConfigureAwait(false) is not DomainSummary domain)
            return (new ErrorReply(ErrorCode.NoDomain, $"Domain not found: no domain with matching {migrate.Domain}"), null);
        if (!domain.Active)
            return (new ErrorReply(ErrorCode.OperationInvalid, "domain is not running: move its config with --offline --persistent"), null);
        var name = domain.Name.Value;
        var byUuid = DomainRef.ByUuid(domain.Uuid);
        var uuid = domain.Uuid.ToString();
        if (await local.Ask<IDomainReply>(new GetDomainXml(byUuid, Inactive: false, Secure: true), timeout).ConfigureAwait(false) is not DomainXmlDescription live)
            return (new ErrorReply(ErrorCode.OperationFailed, $"cannot read the live definition of '{name}'"), null);
        var config = domain.Persistent && await local.Ask<IDomainReply>(new GetDomainXml(byUuid, Inactive: true, Secure: true), timeout).ConfigureAwait(false)
            is DomainXmlDescription inactive ? inactive.Xml : null;
        self.Tell(new MoveBegins(name));
        var prepared = await destination.Ask<object>(new PrepareIncoming(live.Xml), timeout).ConfigureAwait(false);
        if (prepared is not IncomingReady ready)
            return (prepared as ErrorReply ?? new ErrorReply(ErrorCode.OperationFailed, $"node {migrate.Node} cannot take the guest"), name);
        var suspendAfter = migrate.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var sent = await local.Ask<IDomainReply>(
            new DomainRegistryActor.MigrateOut(byUuid, ready.Uri, migrate.Flags.HasFlag(DomainMigrateFlags.Live), suspendAfter), timeout).ConfigureAwait(false);
        if (sent is ErrorReply sendFailed)
        {
            destination.Tell(new AbandonIncoming(uuid, name));
            return (sendFailed, name);
        }
        if (await destination.Ask<object>(new FinishIncomingOn(uuid), timeout).ConfigureAwait(false) is not DomainSummary running)
        {
            await local.Ask<IDomainReply>(new DomainRegistryActor.ConfirmMigration(byUuid, Succeeded: false), timeout).ConfigureAwait(false);
            destination.Tell(new AbandonIncoming(uuid, name));
            return (new ErrorReply(ErrorCode.OperationFailed, $"node {migrate.Node} did not run the guest; it runs on here"), name);
        }
        // The guest runs there now: the name follows it, this QEMU goes, the config moves with it.
        await directory.Ask<NameClaimed>(new TransferName(name, uuid, source, migrate.Node), _settings.AskTimeout).ConfigureAwait(false);
        self.Tell(new NameMoved(name, uuid, migrate.Node));
        await local.Ask<IDomainReply>(new DomainRegistryActor.ConfirmMigration(byUuid, Succeeded: true), timeout).ConfigureAwait(false);
        if (config is not null || migrate.Flags.HasFlag(DomainMigrateFlags.Persistent))
            await destination.Ask<object>(new AcceptMoved(config ?? live.Xml), timeout).ConfigureAwait(false);
        if (domain.Persistent)
            await local.Ask<IDomainReply>(new UndefineDomain(byUuid), timeout).ConfigureAwait(false);
        return (running with { Host = migrate.Node }, name);
    }

    /// <summary>On the destination: a transient domain of the live XML whose QEMU listens on a free port of this node's address.</summary>
    private void PrepareIncoming(PrepareIncoming prepare)
    {
        string name;
        try
        {
            name = DomainXml.ParseIdentity(prepare.Xml).Name;
        }
        catch (VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return;
        }
        _moving.Add(name); // held by the source until the guest runs here
        var uri = $"tcp:{_settings.Hostname}:{FreePort(_settings.Hostname)}";
        _local.Ask<object>(new DomainRegistryActor.AcceptIncoming(prepare.Xml, uri), _callTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully && t.Result is DomainSummary ? new IncomingReady(uri)
                : t.IsCompletedSuccessfully ? t.Result : new ErrorReply(ErrorCode.OperationTimeout, "the incoming QEMU did not start"), TaskScheduler.Default)
            .PipeTo(Sender);
    }

    private static int FreePort(string hostname)
    {
        using var listener = new System.Net.Sockets.TcpListener(
            System.Net.IPAddress.TryParse(hostname, out var address) ? address : System.Net.IPAddress.Any, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Tells the directory every domain this node holds; one sync at a time, the next one right after if asked meanwhile.</summary>
    private void Sync()
    {
        if (_syncing)
        {
            _syncAgain = true;
            return;
        }
        _syncing = true;
        _local.Ask<IDomainReply>(new ListDomains(), _settings.AskTimeout).PipeTo(Self,
            success: reply => reply is DomainList list ? new LocalDomains(list.Domains) : new SyncFinished(null, "the registry did not list"),
            failure: e => new SyncFinished(null, e.Message));
    }

    private void SendSync(LocalDomains local)
    {
        var held = local.Domains.Where(d => !_moving.Contains(d.Name.Value)).Select(d => new HeldName(d.Name.Value, d.Uuid.ToString())).ToList();
        _directory.Ask<NamesSynced>(new SyncNames(Self_, held), _settings.AskTimeout).PipeTo(Self,
            success: synced => new SyncFinished(synced, null), failure: e => new SyncFinished(null, e.Message));
    }

    private void Synced(SyncFinished done)
    {
        _syncing = false;
        if (done.Failure is { } failure)
            _log.Debug("Cluster name sync did not complete: {Reason}", failure);
        foreach (var clash in done.Synced?.Clashes ?? [])
            if (_reportedClashes.Add($"{clash.Name}|{clash.Uuid}"))
                _log.Error("Domain '{Name}' ({Uuid}) of this node clashes with node {Holder}, which holds its name or UUID in the cluster: "
                    + "it is left as it is; undefine or rename one of them", clash.Name, clash.Uuid, clash.Holder);
        if (_syncAgain)
        {
            _syncAgain = false;
            Sync();
        }
    }

    private void ListAcross(ListDomains list)
    {
        var request = list with { AllHosts = false, Host = null };
        var nodes = _members.Nodes.Where(n => list.Host is null || n.Name == list.Host).ToList();
        var claims = _claims.Claims.ToList();
        if (list.Host is { } host && nodes.Count == 0 && claims.All(c => c.Value.Node != host))
        {
            Sender.Tell(new ErrorReply(ErrorCode.InvalidArg, $"no node named '{host}' in the cluster"));
            return;
        }
        var asks = nodes.Select(node => AskNode(node, request)).ToList();
        var includeUnknown = list.Filter is ListDomainsFlags.All or (ListDomainsFlags.Active | ListDomainsFlags.Inactive);
        Task.WhenAll(asks).ContinueWith(answered =>
        {
            var domains = new List<DomainSummary>();
            var heard = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (node, reply) in answered.Result)
            {
                if (reply is not DomainList { Domains: var listed })
                    continue;
                heard.Add(node);
                domains.AddRange(listed.Select(d => d with { Host = node }));
            }
            if (includeUnknown)
                domains.AddRange(claims
                    .Where(c => !heard.Contains(c.Value.Node) && c.Value.Uuid is not null && (list.Host is null || c.Value.Node == list.Host))
                    .Select(c => Unreachable(c.Key, c.Value)));
            return (object)new DomainList(domains.OrderBy(d => d.Host, StringComparer.Ordinal).ToList());
        }, TaskScheduler.Default).PipeTo(Sender);
    }

    /// <summary>One node's list, or null when it cannot be reached or does not answer in time.</summary>
    private Task<(string Node, object? Reply)> AskNode(ClusterMembers.Node node, ListDomains request)
    {
        if (!node.Reachable)
            return Task.FromResult<(string, object?)>((node.Name, null));
        var ask = node.Name == Self_
            ? _local.Ask<IDomainReply>(request, _settings.AskTimeout)
            : RegistryOf(node).Ask<IDomainReply>(request, _settings.AskTimeout);
        return ask.ContinueWith(t => (node.Name, t.IsCompletedSuccessfully ? (object?)t.Result : null), TaskScheduler.Default);
    }

    private static DomainSummary Unreachable(string name, NameClaim claim) =>
        new(new DomainName(name), DomainUuid.Parse(claim.Uuid!), null, DomainState.NoState, (int)NoStateReason.HostUnreachable,
            Persistent: true, Autostart: false)
        { Host = claim.Node };
}
