namespace Virt.Protocol.Remote;

/// <summary>
/// What virtd nodes of one cluster tell the name directory (a cluster singleton): claims on domain names before a
/// define, and each node's full list of names so the directory follows undefines, transient domains and rescans.
/// </summary>
public static class ClusterMessages
{
    /// <summary>A domain a node holds, as the directory records it.</summary>
    public sealed record HeldName(string Name, string Uuid);

    /// <summary>To the directory: may <paramref name="Node"/> define <paramref name="Name"/> (and, when the XML has one, <paramref name="Uuid"/>)?</summary>
    public sealed record ClaimName(string Name, string? Uuid, string Node) : IRemoteMessage;

    /// <summary>
    /// The directory's answer. Granted: the claim is recorded on a majority of the cluster (Fresh: by this claim, so a
    /// failed define releases it). Refused: <paramref name="Reason"/> says why; Taken when another node holds the name or UUID.
    /// </summary>
    public sealed record NameClaimed(bool Granted, bool Fresh, bool Taken, string? Reason) : IRemoteMessage;

    /// <summary>To the directory: a define that was granted <paramref name="Name"/> failed; give it back.</summary>
    public sealed record ReleaseName(string Name, string Node) : IRemoteMessage;

    /// <summary>To the directory: which node holds this name or UUID (a node's own replica of the names may lag by a gossip round)?</summary>
    public sealed record LocateName(string? Name, string? Uuid) : IRemoteMessage;

    /// <summary>The directory's answer to <see cref="LocateName"/>: the holder, or null when no node does.</summary>
    public sealed record NameLocated(string? Node) : IRemoteMessage;

    /// <summary>To a node's front, for placement: could it run a domain of this memory, emulator, machine and accelerator now?</summary>
    public sealed record AskCapacity(ulong MemoryKiB, string? Emulator, string? Machine, bool Kvm) : IRemoteMessage;

    /// <summary>A node's answer to <see cref="AskCapacity"/>: its available memory, and why it cannot run the domain if it cannot.</summary>
    public sealed record NodeCapacity(string Node, ulong AvailableKiB, string? Refusal) : IRemoteMessage;

    /// <summary>To the directory: a domain moves from <paramref name="From"/> to <paramref name="To"/>; answered with <see cref="NameClaimed"/>.</summary>
    public sealed record TransferName(string Name, string Uuid, string From, string To) : IRemoteMessage;

    /// <summary>To the destination's front: define this moved domain's config here; its name is already this node's.</summary>
    public sealed record AcceptMoved(string Xml) : IRemoteMessage;

    /// <summary>A lifecycle event of <paramref name="Node"/>'s domain, to every node's clients (published on the cluster's event topic).</summary>
    public sealed record NodeDomainEvent(string Node, Events.DomainLifecycleEvent Event) : IRemoteMessage;

    /// <summary>To a live migration's destination front: start this live XML's QEMU waiting for the stream.</summary>
    public sealed record PrepareIncoming(string Xml) : IRemoteMessage;

    /// <summary>The destination listens at <paramref name="Uri"/> (tcp:HOST:PORT) for the source QEMU's stream.</summary>
    public sealed record IncomingReady(string Uri) : IRemoteMessage;

    /// <summary>To the destination front: the stream completed; run the guest (answered with its summary).</summary>
    public sealed record FinishIncomingOn(string Uuid) : IRemoteMessage;

    /// <summary>To the destination front: the migration failed; end the waiting QEMU.</summary>
    public sealed record AbandonIncoming(string Uuid, string Name) : IRemoteMessage;

    /// <summary>To the directory: every domain <paramref name="Node"/> holds right now.</summary>
    public sealed record SyncNames(string Node, IReadOnlyList<HeldName> Domains) : IRemoteMessage;

    /// <summary>The directory's answer to <see cref="SyncNames"/>: the node's domains whose name or UUID another node holds.</summary>
    public sealed record NamesSynced(IReadOnlyList<NameClash> Clashes) : IRemoteMessage;

    /// <summary>A domain of the syncing node that another node, <paramref name="Holder"/>, holds the name or UUID of.</summary>
    public sealed record NameClash(string Name, string Uuid, string Holder);
}
