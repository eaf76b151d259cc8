using Virt.Protocol.Errors;
using Virt.Protocol.Events;

namespace Virt.Protocol.Api;

/// <summary>Answers to <see cref="DomainCommands"/>, each named after what it carries.</summary>
public static partial class DomainReplies
{
    /// <summary>Marker for every reply, the error reply included.</summary>
    public interface IDomainReply;

    /// <summary>One domain as virsh list shows it; Id is null while the domain is inactive.</summary>
    public sealed record DomainSummary(
        DomainName Name,
        DomainUuid Uuid,
        int? Id,
        DomainState State,
        int Reason,
        bool Persistent,
        bool Autostart) : IDomainReply
    {
        public bool Active => Id is not null;

        /// <summary>In a cluster-wide list: the node the domain lives on; null in a node's own list.</summary>
        public string? Host { get; init; }

        /// <summary>virsh domstate --reason, e.g. "shut off (destroyed)".</summary>
        public string StateText => DomainStates.Describe(State, Reason);
    }

    /// <summary>Domains in virsh list order: running ones by id, then inactive ones by name.</summary>
    public sealed record DomainList(IReadOnlyList<DomainSummary> Domains) : IDomainReply;

    /// <summary>A domain's XML document (libvirt's "XML description").</summary>
    public sealed record DomainXmlDescription(DomainName Name, string Xml) : IDomainReply;

    /// <summary>libvirt's virDomainInfo plus the state reason, and the taints of a running domain (custom-monitor, ...).</summary>
    public sealed record DomainInfo(
        DomainSummary Domain,
        ulong MaxMemoryKiB,
        ulong MemoryKiB,
        int Vcpus,
        ulong CpuTimeNs) : IDomainReply
    {
        public IReadOnlyList<string> Taints { get; init; } = [];

        /// <summary>A managed save image waits: the next start restores it (dominfo's "Managed save").</summary>
        public bool HasManagedSave { get; init; }
    }

    /// <summary>QEMU's whole answer to a <see cref="DomainCommands.QemuMonitorCommand"/>, as JSON ({"return": ...}).</summary>
    public sealed record QemuMonitorReply(string Json) : IDomainReply;

    /// <summary>A refused or failed command: a code for scripts and a message for people.</summary>
    public sealed record ErrorReply(ErrorCode Code, string Message) : IDomainReply
    {
        public static ErrorReply From(VirtException e) => new(e.Code, e.Message);

        public override string ToString() => $"{Code.WireName()}: {Message}";
    }
}
