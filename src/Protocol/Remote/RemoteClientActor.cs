using System.Threading.Channels;
using Akka.Actor;
using Akka.Event;
using Akka.Remote;
using Virt.Protocol.Events;

namespace Virt.Protocol.Remote;

/// <summary>
/// The client's end of a remote connection (/user/client in the client's actor system): the daemon watches it
/// and tells it the events. It watches the daemon's connection in turn and stops when that goes.
/// </summary>
internal sealed class RemoteClientActor : ReceiveActor
{
    /// <summary>From the transport: the daemon's connection actor for this client.</summary>
    public sealed record WatchConnection(IActorRef Connection);

    private readonly ChannelWriter<object> _events;
    private readonly TaskCompletionSource _stopped;
    private readonly TaskCompletionSource<string> _associationFailed;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public RemoteClientActor(ChannelWriter<object> events, TaskCompletionSource stopped, TaskCompletionSource<string> associationFailed)
    {
        _events = events;
        _stopped = stopped;
        _associationFailed = associationFailed;
        Receive<DomainLifecycleEvent>(Queue);
        Receive<DomainRebootEvent>(Queue);
        Receive<DomainDeviceEvent>(Queue);
        // Only the handshake looks at this: it fails at once when virtd cannot be reached instead of timing out.
        Receive<AssociationErrorEvent>(e => _associationFailed.TrySetResult(e.Cause?.Message ?? e.ToString()));
        Receive<WatchConnection>(m =>
        {
            Context.System.EventStream.Unsubscribe(Self, typeof(AssociationErrorEvent));
            Context.Watch(m.Connection);
        });
        Receive<Terminated>(t =>
        {
            _log.Info("The connection {Connection} in virtd has ended", t.ActorRef.Path);
            Context.Stop(Self);
        });
    }

    /// <summary>A full queue means the program stopped reading: close, as the socket and embedded transports do.</summary>
    private void Queue(object e)
    {
        if (_events.TryWrite(e))
            return;
        _log.Warning("Events are not being read; closing the connection to virtd");
        Context.Stop(Self);
    }

    public static Props Props(ChannelWriter<object> events, TaskCompletionSource stopped, TaskCompletionSource<string> associationFailed) =>
        Akka.Actor.Props.Create(() => new RemoteClientActor(events, stopped, associationFailed));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _events.TryComplete();
        _stopped.TrySetResult();
    }
}
