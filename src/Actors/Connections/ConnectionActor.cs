using Akka.Actor;
using Akka.Event;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Connections;

/// <summary>
/// One client (/user/connections/N): forwards its domain commands to the registry (refusing writes on a
/// read-only connection), filters lifecycle events for it, and destroys the domains it started with
/// autodestroy when it goes, however it goes (close, transport gone, remote client dead, or a crash).
/// </summary>
/// <remarks>
/// Events are handed to the client's sink at once, never queued here: the sink's queue is the only buffer, so
/// a client that stops reading costs a fixed amount of memory and gets disconnected.
/// </remarks>
public sealed class ConnectionActor : ReceiveActor
{
    /// <summary>A request sent through a <see cref="ReplyCatcher"/> whose answer the connection must see first.</summary>
    private abstract record Pending(IActorRef Asker);

    /// <summary>A start with autodestroy; <paramref name="Domain"/> is destroyed at close if no answer came yet.</summary>
    private sealed record PendingStart(IActorRef Asker, DomainRef Domain) : Pending(Asker);

    /// <summary>A subscription waiting for its domain's UUID; <paramref name="Version"/> drops it if overtaken.</summary>
    private sealed record PendingSubscription(IActorRef Asker, IReadOnlyList<DomainEventType>? Types, long Version) : Pending(Asker);

    private readonly long _id;
    private readonly ClientInfo _client;
    private readonly IEventSink? _sink;
    private readonly IActorRef? _remoteClient;
    private readonly IActorRef _registry;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<DomainUuid> _autodestroy = [];
    private readonly Dictionary<long, Pending> _pending = [];
    private long _nextToken;
    private EventSubscription? _subscription;
    private long _subscriptionVersion;
    private bool _onEventStream;

    public ConnectionActor(long id, ClientInfo client, IEventSink? sink, IActorRef? remoteClient, IActorRef registry)
    {
        _id = id;
        _client = client;
        _sink = sink;
        _remoteClient = remoteClient;
        _registry = registry;

        Receive<IDomainCommand>(Command);
        Receive<ReplyCatcher.Caught>(Answered);
        Receive<SubscribeEvents>(Subscribe);
        Receive<UnsubscribeEvents>(_ =>
        {
            _subscriptionVersion++;
            _subscription = null;
            SyncEventStream();
            Sender.Tell(EventsUnsubscribed.Instance);
        });
        Receive<DomainLifecycleEvent>(Event);
        Receive<DomainRebootEvent>(Event);
        Receive<DomainDeviceEvent>(e => ToSink(e.Uuid, sink => sink.TryPush(e), e));
        Receive<CloseConnection>(_ =>
        {
            // A transport that just goes away asks with no sender; there is no one to tell.
            if (!Sender.IsNobody())
                Sender.Tell(new ConnectionClosed(_id));
            Context.Stop(Self);
        });
        Receive<Terminated>(t => t.ActorRef.Equals(_remoteClient), _ =>
        {
            _log.Info("Connection {Connection}: remote client {Client} is gone", _id, _remoteClient);
            Context.Stop(Self);
        });
    }

    public static Props Props(long id, ClientInfo client, IEventSink? sink, IActorRef? remoteClient, IActorRef registry) =>
        Akka.Actor.Props.Create<ConnectionActor>(id, client, sink!, remoteClient!, registry);

    /// <summary>The owner recorded for this connection's autodestroy domains.</summary>
    private AutodestroyOwner Owner => new(_id, _client);

    /// <summary>The catchers only relay one reply; if one fails there is nothing to restart.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        if (_remoteClient is not null)
            Context.Watch(_remoteClient);
        _log.Debug("Connection {Connection} opened: {Client}", _id, _client);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        var doomed = _autodestroy.Select(DomainRef.ByUuid)
            .Concat(_pending.Values.OfType<PendingStart>().Select(p => p.Domain))
            .ToList();
        // Replies go to the manager, which logs them: a domain that already stopped just answers an error.
        foreach (var domain in doomed)
        {
            _log.Info("Connection {Connection} closed: destroying autodestroy domain {Domain}", _id, domain);
            _registry.Tell(new DestroyDomain(domain), Context.Parent);
        }
        _log.Debug("Connection {Connection} closed: {Client}", _id, _client);
    }

    private void Command(IDomainCommand command)
    {
        if (_client.ReadOnly && command is GetDomainXml { Secure: true })
        {
            // The passwords in secure XML are the keys to the guests' displays.
            Sender.Tell(new ErrorReply(ErrorCode.OperationDenied, "operation forbidden: virDomainGetXMLDesc with secure flag"));
            return;
        }
        if (command is IWriteCommand && _client.ReadOnly)
        {
            Sender.Tell(new ErrorReply(ErrorCode.OperationDenied,
                $"operation forbidden: read only access prevents {Procedures.Describe(command)}"));
            return;
        }
        if (command is ConsoleCommands.OpenConsole && _remoteClient is not null)
        {
            // The session would be held for a client that cannot receive its bytes.
            Sender.Tell(new ErrorReply(ErrorCode.ConfigUnsupported, "a console needs the daemon's socket: Akka.Remote carries no byte stream"));
            return;
        }
        if (Procedures.IsLocalOnly(command) && _remoteClient is not null)
        {
            // The reply's descriptor would be opened in QEMU for a client it can never reach.
            Sender.Tell(new ErrorReply(ErrorCode.ConfigUnsupported, Procedures.LocalOnlyReason(Procedures.Describe(command))));
            return;
        }
        if (AutodestroyTarget(command) is { } domain)
            Send(new PendingStart(Sender, domain), new OwnedStart(command, Owner));
        else
            _registry.Forward(command);
    }

    /// <summary>The domain a start or create with autodestroy will run; a create's XML that does not parse is left to the registry to refuse.</summary>
    private static DomainRef? AutodestroyTarget(IDomainCommand command) => command switch
    {
        StartDomain s when s.Flags.HasFlag(DomainCreateFlags.Autodestroy) => s.Domain,
        CreateDomain c when c.Flags.HasFlag(DomainCreateFlags.Autodestroy) => NameIn(c.Xml),
        _ => null,
    };

    /// <summary>By name, not UUID: a document without a UUID gets a fresh one from each parse.</summary>
    private static DomainRef? NameIn(string xml)
    {
        try
        {
            return DomainRef.ByName(DomainXml.Parse(xml).Name);
        }
        catch (VirtException)
        {
            return null;
        }
    }

    private void Send(Pending pending, object request)
    {
        var token = ++_nextToken;
        _pending[token] = pending;
        var catcher = Context.ActorOf(ReplyCatcher.Props(token, _registry), $"request-{token}");
        _registry.Tell(request, catcher);
    }

    private void Answered(ReplyCatcher.Caught caught)
    {
        if (!_pending.Remove(caught.Token, out var pending))
            return;
        switch (pending)
        {
            case PendingStart start:
                StartAnswered(start, caught.Reply);
                break;
            case PendingSubscription subscription:
                LookupAnswered(subscription, caught.Reply);
                break;
        }
    }

    private void StartAnswered(PendingStart start, object reply)
    {
        switch (reply)
        {
            case DomainSummary started:
                _autodestroy.Add(started.Uuid);
                SyncEventStream();
                _log.Info("Connection {Connection} owns autodestroy domain {Domain} ({Uuid})", _id, started.Name, started.Uuid);
                break;
            case ErrorReply:
                break;
            default:
                // An answer of a kind not known here: keep destroying by reference at close rather than leak a VM.
                _pending[++_nextToken] = start;
                _log.Warning("Connection {Connection}: unexpected answer {Reply} to an autodestroy start of {Domain}", _id, reply, start.Domain);
                break;
        }
        start.Asker.Tell(reply);
    }

    private void Subscribe(SubscribeEvents m)
    {
        var version = ++_subscriptionVersion;
        if (m.Domain is { } domain)
            Send(new PendingSubscription(Sender, m.Types, version), new LookupDomain(domain));
        else
            Subscribed(Sender, EventSubscription.Of(null, m.Types));
    }

    private void LookupAnswered(PendingSubscription pending, object reply)
    {
        if (pending.Version != _subscriptionVersion)
            pending.Asker.Tell(new ErrorReply(ErrorCode.OperationInvalid,
                "the event subscription was replaced by a later subscribe or unsubscribe before it took effect"));
        else if (reply is DomainSummary domain)
            Subscribed(pending.Asker, EventSubscription.Of(domain.Uuid, pending.Types));
        else
            pending.Asker.Tell(reply);
    }

    private void Subscribed(IActorRef asker, EventSubscription subscription)
    {
        _subscription = subscription;
        SyncEventStream();
        asker.Tell(new EventsSubscribed(subscription));
    }

    private void Event(DomainLifecycleEvent e)
    {
        // A domain that stopped is no longer ours to destroy: another client may start it again.
        if (e.Type == DomainEventType.Stopped && _autodestroy.Remove(e.Uuid))
            SyncEventStream();
        if (_subscription?.Matches(e) != true || (e.Host is not null && _client.LocalEventsOnly))
            return;
        if (_sink is not null)
        {
            if (!_sink.TryPush(e))
            {
                _log.Info("Connection {Connection}: client stopped reading events; closing", _id);
                Context.Stop(Self);
            }
        }
        else
            _remoteClient?.Tell(e, Self);
    }

    private void Event(DomainRebootEvent e) => ToSink(e.Uuid, sink => sink.TryPush(e), e);

    /// <summary>
    /// An event for the subscribed client, if it asked for this domain's: to its sink (a client that stopped reading
    /// goes), or to the Akka.Remote client actor, whose own bounded queue does the same.
    /// </summary>
    private void ToSink(DomainUuid uuid, Func<IEventSink, bool> push, object e)
    {
        if (_subscription is not { } subscription || (subscription.Domain is { } domain && domain != uuid))
            return;
        if (_sink is null)
        {
            _remoteClient?.Tell(e, Self);
            return;
        }
        if (!push(_sink))
        {
            _log.Info("Connection {Connection}: client stopped reading events; closing", _id);
            Context.Stop(Self);
        }
    }

    /// <summary>On the EventStream only while something here needs events: a subscription or an autodestroy domain.</summary>
    private void SyncEventStream()
    {
        var needed = _subscription is not null || _autodestroy.Count > 0;
        if (needed == _onEventStream)
            return;
        if (needed)
        {
            Context.System.EventStream.Subscribe(Self, typeof(DomainLifecycleEvent));
            Context.System.EventStream.Subscribe(Self, typeof(DomainRebootEvent));
            Context.System.EventStream.Subscribe(Self, typeof(DomainDeviceEvent));
        }
        else
        {
            Context.System.EventStream.Unsubscribe(Self, typeof(DomainLifecycleEvent));
            Context.System.EventStream.Unsubscribe(Self, typeof(DomainRebootEvent));
            Context.System.EventStream.Unsubscribe(Self, typeof(DomainDeviceEvent));
        }
        _onEventStream = needed;
    }
}
