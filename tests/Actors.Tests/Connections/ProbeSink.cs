using Akka.Actor;
using Virt.Actors.Connections;
using Virt.Protocol.Events;

namespace Virt.Actors.Tests.Connections;

/// <summary>A client's event sink that hands each event to a test probe, or refuses, or throws, as the test needs.</summary>
internal sealed class ProbeSink(IActorRef? probe, Func<DomainLifecycleEvent, bool>? accept = null) : IEventSink
{
    /// <summary>A client that has stopped reading: the first push fails.</summary>
    public static ProbeSink Stuck() => new(null, _ => false);

    /// <summary>A transport that breaks with an exception on the first push.</summary>
    public static ProbeSink Throwing() => new(null, _ => throw new InvalidOperationException("sink broke"));

    public bool TryPush(DomainLifecycleEvent e)
    {
        if (accept is not null && !accept(e))
            return false;
        probe?.Tell(e);
        return true;
    }
}

/// <summary>Clients and events for connection specs.</summary>
internal static class Clients
{
    public static readonly ClientInfo ReadWrite = new(1000, 4242, ReadOnly: false, "unix");
    public static readonly ClientInfo ReadOnly = new(1001, 4343, ReadOnly: true, "unix-ro");
}
