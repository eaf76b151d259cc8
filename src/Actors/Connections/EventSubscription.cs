using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Actors.Connections;

/// <summary>Which lifecycle events a client wants: one domain or all (null), some event types or all (null).</summary>
public sealed record EventSubscription(DomainUuid? Domain, IReadOnlySet<DomainEventType>? Types)
{
    public static readonly EventSubscription All = new(null, null);

    public static EventSubscription Of(DomainUuid? domain, IEnumerable<DomainEventType>? types) =>
        new(domain, types is null ? null : new HashSet<DomainEventType>(types));

    public bool Matches(DomainLifecycleEvent e) =>
        (Domain is null || Domain == e.Uuid) && (Types is null || Types.Contains(e.Type));
}
