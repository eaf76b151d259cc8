using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Protocol.Api;

/// <summary>What a client asks about a domain's running guest beyond dominfo: libvirt's statistics.</summary>
public static class DomainQueries
{
    /// <summary>
    /// libvirt's bulk stats (virsh domstats): the named domains, or with none every domain matching
    /// <paramref name="Filter"/>; the groups asked for (none: all supported), one record per domain.
    /// </summary>
    public sealed record GetDomainStats(IReadOnlyList<DomainRef> Domains, DomainStatsGroups Groups = DomainStatsGroups.None,
        ListDomainsFlags Filter = ListDomainsFlags.All) : IDomainCommand;

    /// <summary>The balloon's and the process's memory figures of a running domain (virsh dommemstat).</summary>
    public sealed record GetMemoryStats(DomainRef Domain) : IDomainCommand;

    /// <summary>One domain's statistics as libvirt's typed parameters, in libvirt's order.</summary>
    public sealed record DomainStatsRecord(DomainName Name, DomainUuid Uuid, int? Id, IReadOnlyList<TypedParameter> Fields) : DomainReplies.IDomainReply;

    public sealed record DomainStatsList(IReadOnlyList<DomainStatsRecord> Records) : DomainReplies.IDomainReply;

    public sealed record MemoryStats(IReadOnlyList<MemoryStat> Stats) : DomainReplies.IDomainReply;
}

/// <summary>What a client changes in a domain's resources (virsh setmem, setmaxmem, setvcpus).</summary>
public static class DomainResources
{
    /// <summary>
    /// The memory of a domain in KiB: its current (balloon) size, or with <see cref="DomainModificationFlags.Maximum"/>
    /// its maximum; live, in the config, or both (libvirt's virDomainSetMemoryFlags).
    /// </summary>
    public sealed record SetMemory(DomainRef Domain, ulong KiB, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;

    /// <summary>The vCPU count, or with <see cref="DomainModificationFlags.Maximum"/> the maximum (virDomainSetVcpusFlags).</summary>
    public sealed record SetVcpus(DomainRef Domain, int Count, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;
}

/// <summary>
/// libvirt's virDomainModificationImpact with the memory and vCPU flags that share its bits: current is the live
/// domain when it runs, else the config; live and config may be combined.
/// </summary>
[Flags]
public enum DomainModificationFlags
{
    Current = 0,
    Live = 1 << 0,
    Config = 1 << 1,
    /// <summary>VIR_DOMAIN_MEM_MAXIMUM and VIR_DOMAIN_VCPU_MAXIMUM.</summary>
    Maximum = 1 << 2,
    /// <summary>VIR_DOMAIN_VCPU_GUEST: through the guest agent (not supported).</summary>
    Guest = 1 << 3,
    /// <summary>VIR_DOMAIN_VCPU_HOTPLUGGABLE.</summary>
    Hotpluggable = 1 << 4,
}
