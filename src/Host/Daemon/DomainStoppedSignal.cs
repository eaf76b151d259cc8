using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Host.Daemon;

/// <summary>
/// Completes when the registry publishes that a domain stopped (or, transient, went away), so the daemon's stop
/// waits for a guest's shutdown instead of polling for it. Subscribed when made: no event after that is missed.
/// </summary>
internal sealed class DomainStoppedSignal : IDisposable
{
    private readonly ActorSystem _system;
    private readonly IActorRef _listener;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DomainStoppedSignal(ActorSystem system, DomainUuid uuid)
    {
        _system = system;
        var stopped = _stopped;
        _listener = system.ActorOf(Props.Create(() => new Listener(uuid, stopped)));
        system.EventStream.Subscribe(_listener, typeof(DomainLifecycleEvent));
    }

    public Task Stopped => _stopped.Task;

    public void Dispose()
    {
        _system.EventStream.Unsubscribe(_listener);
        _system.Stop(_listener);
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(DomainUuid uuid, TaskCompletionSource stopped) =>
            Receive<DomainLifecycleEvent>(e => e.Uuid == uuid && e.Type is DomainEventType.Stopped or DomainEventType.Undefined,
                _ => stopped.TrySetResult());
    }
}
