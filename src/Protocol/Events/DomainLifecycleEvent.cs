using Virt.Protocol.Api;

namespace Virt.Protocol.Events;

/// <summary>A lifecycle change of one domain, as libvirt reports it: event type plus a type-specific detail.</summary>
public sealed record DomainLifecycleEvent(DomainName Name, DomainUuid Uuid, DomainEventType Type, int Detail)
{
    /// <summary>The domain's id when the event was published; null while it is inactive.</summary>
    public int? Id { get; init; }

    /// <summary>In a cluster: the node the domain lives on, when it is another one than the node that delivers the event.</summary>
    public string? Host { get; init; }

    public static DomainLifecycleEvent Defined(DomainName name, DomainUuid uuid, DefinedDetail detail) =>
        new(name, uuid, DomainEventType.Defined, (int)detail);

    public static DomainLifecycleEvent Undefined(DomainName name, DomainUuid uuid, UndefinedDetail detail) =>
        new(name, uuid, DomainEventType.Undefined, (int)detail);

    public static DomainLifecycleEvent Started(DomainName name, DomainUuid uuid, StartedDetail detail) =>
        new(name, uuid, DomainEventType.Started, (int)detail);

    public static DomainLifecycleEvent Suspended(DomainName name, DomainUuid uuid, SuspendedDetail detail) =>
        new(name, uuid, DomainEventType.Suspended, (int)detail);

    public static DomainLifecycleEvent Resumed(DomainName name, DomainUuid uuid, ResumedDetail detail) =>
        new(name, uuid, DomainEventType.Resumed, (int)detail);

    public static DomainLifecycleEvent Stopped(DomainName name, DomainUuid uuid, StoppedDetail detail) =>
        new(name, uuid, DomainEventType.Stopped, (int)detail);

    public static DomainLifecycleEvent ShutdownEvent(DomainName name, DomainUuid uuid, ShutdownDetail detail) =>
        new(name, uuid, DomainEventType.Shutdown, (int)detail);

    public static DomainLifecycleEvent Crashed(DomainName name, DomainUuid uuid, CrashedDetail detail) =>
        new(name, uuid, DomainEventType.Crashed, (int)detail);

    /// <summary>virsh event's words for type and detail: "Started Booted", "Stopped Destroyed".</summary>
    public string Display => DomainEventNames.Describe(Type, Detail);

    public override string ToString() => $"event 'lifecycle' for domain '{Name}': {Display}";
}
