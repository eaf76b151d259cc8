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
/// To the registry: a start or create with autodestroy on behalf of <paramref name="Owner"/>, which the domain's status
/// file records; the reply goes to the sender, as for the bare command.
/// </summary>
public sealed record OwnedStart(Virt.Protocol.Api.DomainCommands.IDomainCommand Command, AutodestroyOwner Owner);
