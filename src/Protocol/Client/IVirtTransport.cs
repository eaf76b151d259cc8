using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Protocol.Client;

/// <summary>How a <see cref="VirtConnection"/> reaches a runtime: a daemon socket, Akka.Remote, or in-process.</summary>
public interface IVirtTransport : IAsyncDisposable
{
    /// <summary>Sends one command and returns its reply; an ErrorReply is returned, not thrown.</summary>
    Task<DomainReplies.IDomainReply> CallAsync(DomainCommands.IDomainCommand command, TimeSpan timeout, CancellationToken ct);

    /// <summary>Starts delivering lifecycle events to <see cref="Events"/>: one domain or all, some types or all.</summary>
    Task SubscribeAsync(EventSubscription subscription, CancellationToken ct);

    /// <summary>Events the runtime pushed, in order; ends when the connection ends.</summary>
    IAsyncEnumerable<DomainLifecycleEvent> Events(CancellationToken ct);

    /// <summary>
    /// Every event the runtime pushed, in order: lifecycle, reboot and device events (<see cref="DomainLifecycleEvent"/>,
    /// <see cref="DomainRebootEvent"/>, <see cref="DomainDeviceEvent"/>). A transport that carries lifecycle events alone
    /// gives those.
    /// </summary>
    IAsyncEnumerable<object> AllEvents(CancellationToken ct) => Boxed(Events(ct));

    private static async IAsyncEnumerable<object> Boxed(IAsyncEnumerable<DomainLifecycleEvent> events)
    {
        await foreach (var e in events.ConfigureAwait(false))
            yield return e;
    }

    /// <summary>Completes when the connection has ended.</summary>
    Task Completion { get; }
}

/// <summary>Which lifecycle events a client wants: null domain means all domains, null types all types.</summary>
public sealed record EventSubscription(DomainRef? Domain = null, IReadOnlyList<DomainEventType>? Types = null);
