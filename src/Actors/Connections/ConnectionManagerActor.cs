using Akka.Actor;
using Akka.Event;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Connections;

/// <summary>
/// /user/connections: opens one <see cref="ConnectionActor"/> per client, named by a counter
/// (/user/connections/1, /2, ...). A connection that fails is stopped, never restarted: its client is gone or
/// broken, and stopping runs its autodestroy.
/// </summary>
public sealed class ConnectionManagerActor : ReceiveActor
{
    private readonly IActorRef _registry;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _lastId;

    public ConnectionManagerActor(IActorRef registry)
    {
        _registry = registry;
        Receive<OpenConnection>(Open);
        // Answers to the autodestroy DestroyDomain a closing connection sends on its way out.
        Receive<ErrorReply>(e => _log.Debug("Autodestroy: {Reply}", e));
        Receive<DomainSummary>(d => _log.Info("Autodestroy destroyed domain {Domain} ({Uuid})", d.Name, d.Uuid));
        Receive<IDomainReply>(r => _log.Debug("Autodestroy: {Reply}", r));
    }

    public static Props Props(IActorRef registry) => Akka.Actor.Props.Create(() => new ConnectionManagerActor(registry));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Warning("A connection failed and is closed: {Reason}", e.Message);
        return Directive.Stop;
    });

    private void Open(OpenConnection m)
    {
        var id = ++_lastId;
        var connection = Context.ActorOf(ConnectionActor.Props(id, m.Client, m.Sink, m.RemoteClient, _registry), id.ToString());
        _log.Info("Connection {Connection} opened: {Client}", id, m.Client);
        Sender.Tell(new ConnectionOpened(connection, id));
    }
}
