using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

/// <summary>What the registry knows of one domain; immutable, replaced on every change.</summary>
public sealed record DomainEntry
{
    public required DomainDefinition Definition { get; init; }

    /// <summary>The config for the next start, when the domain was redefined while active.</summary>
    public DomainDefinition? NextDefinition { get; init; }

    public bool Persistent { get; init; }
    public bool Autostart { get; init; }
    public DomainState State { get; init; } = DomainState.Shutoff;
    public int Reason { get; init; }

    /// <summary>Set while active, as libvirt's domain id.</summary>
    public int? Id { get; init; }

    public DomainName Name => new(Definition.Name);
    public DomainUuid Uuid => new(Definition.Uuid);
    public bool Active => Id is not null;

    /// <summary>The persistent config (what dumpxml --inactive shows).</summary>
    public DomainDefinition Config => NextDefinition ?? Definition;

    public DomainSummary ToSummary() => new(Name, Uuid, Id, State, Reason, Persistent, Autostart);
}
