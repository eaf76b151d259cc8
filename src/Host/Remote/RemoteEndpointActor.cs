using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Virt.Actors.Connections;
using Virt.Protocol.Errors;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.RemoteMessages;

namespace Virt.Host.Remote;

/// <summary>
/// /user/remote-endpoint: opens a ConnectionActor for each Akka.Remote client's <see cref="Hello"/> and answers
/// with its path; the client then sends its commands straight there. Subscriptions and goodbyes come here, since
/// their records belong to the actors, not the wire. When a client's association dies its connections close,
/// which destroys their autodestroy domains.
/// </summary>
public sealed class RemoteEndpointActor : ReceiveActor
{
    private sealed record Opened(ConnectionOpened Connection, IActorRef Asker, Address Owner);

    /// <summary>An open connection and the client system that owns it, by the path its client was told.</summary>
    private sealed record Session(IActorRef Connection, Address Owner);

    private readonly IActorRef _connections;
    private readonly TimeSpan _timeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Session> _sessions = [];

    public RemoteEndpointActor(IActorRef connections, TimeSpan timeout)
    {
        _connections = connections;
        _timeout = timeout;
        Receive<Hello>(Greet);
        Receive<Opened>(Welcome);
        Receive<Subscribe>(SubscribeClient);
        Receive<Goodbye>(Leave);
        Receive<DisassociatedEvent>(Disassociated);
        Receive<Terminated>(t => Forget(t.ActorRef));
        Receive<ConnectionClosed>(_ => { });
        Receive<ErrorReply>(e => _log.Warning("Remote endpoint: {Error}", e));
    }

    public static Props Props(IActorRef connections, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new RemoteEndpointActor(connections, timeout));

    private IActorRefProvider Provider => ((ExtendedActorSystem)Context.System).Provider;

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DisassociatedEvent));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Greet(Hello hello)
    {
        IActorRef client;
        try
        {
            client = Provider.ResolveActorRef(hello.Client);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            Sender.Tell(new ErrorReply(ErrorCode.Rpc, $"hello: '{hello.Client}' is not an actor path: {e.Message}"));
            return;
        }
        // A client may only name an actor of its own system: that actor's death is what ends the connection.
        var owner = Sender.Path.Address;
        if (client.Path.Address != owner || client is not RemoteActorRef)
        {
            Sender.Tell(new ErrorReply(ErrorCode.OperationDenied, $"hello: {hello.Client} is not an actor of the calling system {owner}"));
            return;
        }
        // The association is authenticated (mutual TLS with a trusted certificate, an administrator's): read-only is
        // only ever a downgrade the client asks for; nothing in the message can raise what the certificate allows.
        var info = new ClientInfo(UnknownUid, hello.Pid, hello.ReadOnly, $"akka.remote (TLS) from {owner}");
        var asker = Sender;
        _connections.Ask<ConnectionOpened>(new OpenConnection(info, null, client), _timeout)
            .PipeTo(Self, success: opened => new Opened(opened, asker, owner),
                failure: e => new ErrorReply(ErrorCode.InternalError, $"cannot open a connection: {e.Message}"));
    }

    /// <summary>Remote clients have no uid we can check; (uid_t)-1, as in the status file, means unknown.</summary>
    private const uint UnknownUid = uint.MaxValue;

    private void Welcome(Opened m)
    {
        var path = m.Connection.Connection.Path.ToStringWithAddress(Provider.DefaultAddress);
        _sessions[path] = new Session(m.Connection.Connection, m.Owner);
        Context.Watch(m.Connection.Connection);
        _log.Info("Remote client {Client} has connection {Connection}", m.Owner, m.Connection.Id);
        m.Asker.Tell(new Welcome(path, m.Connection.Id));
    }

    private void SubscribeClient(Subscribe m)
    {
        if (Owned(m.Connection) is not { } session)
            return;
        var filter = new SubscribeEvents(m.Subscription.Domain, m.Subscription.Types);
        session.Connection.Ask<object>(filter, _timeout).PipeTo(Sender,
            success: reply => reply is EventsSubscribed ? new Subscribed() : reply,
            failure: e => new ErrorReply(ErrorCode.OperationTimeout, $"subscription: {e.Message}"));
    }

    private void Leave(Goodbye m)
    {
        if (Owned(m.Connection) is not { } session)
            return;
        _sessions.Remove(m.Connection);
        session.Connection.GracefulStop(_timeout, CloseConnection.Instance).PipeTo(Sender,
            success: _ => new Closed(),
            failure: e => new ErrorReply(ErrorCode.OperationTimeout, $"goodbye: {e.Message}"));
    }

    /// <summary>The session at <paramref name="path"/> if the sender's system owns it; otherwise the sender is told why not.</summary>
    private Session? Owned(string path)
    {
        if (_sessions.TryGetValue(path, out var session) && session.Owner == Sender.Path.Address)
            return session;
        Sender.Tell(new ErrorReply(ErrorCode.OperationDenied, $"{path} is not a connection of {Sender.Path.Address}"));
        return null;
    }

    /// <summary>The client's association died (killed, network gone): close its connections now rather than wait for the failure detector.</summary>
    private void Disassociated(DisassociatedEvent e)
    {
        foreach (var (path, session) in _sessions.Where(s => s.Value.Owner == e.RemoteAddress).ToList())
        {
            _log.Info("Remote client {Client} disassociated; closing its connection {Connection}", e.RemoteAddress, path);
            _sessions.Remove(path);
            session.Connection.Tell(CloseConnection.Instance);
        }
    }

    private void Forget(IActorRef connection)
    {
        foreach (var path in _sessions.Where(s => s.Value.Connection.Equals(connection)).Select(s => s.Key).ToList())
            _sessions.Remove(path);
    }
}
