using Virt.Protocol.Client;

namespace Virt.Protocol.Remote;

/// <summary>Marker of the envelope records only the Akka.Remote path uses; bound to <see cref="VirtJsonSerializer"/>.</summary>
public interface IRemoteMessage;

/// <summary>
/// The handshake and session records between a remote client and the daemon's endpoint actor. Actor refs travel
/// as full actor paths (akka.tcp://system@host:port/user/name) that the receiver resolves.
/// </summary>
public static class RemoteMessages
{
    /// <summary>Name of the daemon's endpoint actor under /user.</summary>
    public const string EndpointName = "remote-endpoint";

    /// <summary>Name of the daemon's actor system, as in akka.tcp://virt@HOST:PORT.</summary>
    public const string DaemonSystemName = "virt";

    /// <summary>To the endpoint: a client arrived; <paramref name="Client"/> gets the events and is watched.</summary>
    /// <param name="Pid">The client's own word for its process id; for logs only.</param>
    public sealed record Hello(string Client, bool ReadOnly, int Pid) : IRemoteMessage;

    /// <summary>The endpoint's answer to <see cref="Hello"/>: the connection to send commands to.</summary>
    public sealed record Welcome(string Connection, long ConnectionId) : IRemoteMessage;

    /// <summary>To the endpoint: replace the event subscription of a connection this client opened.</summary>
    public sealed record Subscribe(string Connection, EventSubscription Subscription) : IRemoteMessage;

    /// <summary>The subscription is in force: events now reach the client.</summary>
    public sealed record Subscribed : IRemoteMessage;

    /// <summary>To the endpoint: the client is leaving; its autodestroy domains are destroyed.</summary>
    public sealed record Goodbye(string Connection) : IRemoteMessage;

    /// <summary>The connection has stopped.</summary>
    public sealed record Closed : IRemoteMessage;
}
