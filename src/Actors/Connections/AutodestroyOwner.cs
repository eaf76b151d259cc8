using Virt.Protocol.Api;

namespace Virt.Actors.Connections;

/// <summary>
/// The connection a domain started with autodestroy belongs to. A connection never outlives the daemon, so
/// after a daemon restart every recorded owner is gone and its domains are to be destroyed.
/// </summary>
public sealed record AutodestroyOwner(long ConnectionId, ClientInfo Client)
{
    /// <summary>The text for the domain's status file, e.g. "connection 3 (uid 1000, pid 4242, read-write over unix)".</summary>
    public override string ToString() => $"connection {ConnectionId} ({Client})";
}

/// <summary>
/// To the registry: <paramref name="Uuid"/> was started with autodestroy by <paramref name="Owner"/>, so the
/// domain's status file can record it. The registry does not handle it yet; until then it is unhandled there.
/// </summary>
public sealed record AutodestroyClaimed(DomainUuid Uuid, AutodestroyOwner Owner);
