using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Actors.Connections;

/// <summary>
/// What the transports ask of /user/connections and of one connection, besides the
/// <see cref="DomainCommands.IDomainCommand"/>s a connection forwards to the registry.
/// </summary>
public static class ConnectionCommands
{
    /// <summary>To /user/connections: a client arrived; answered with <see cref="ConnectionReplies.ConnectionOpened"/>.</summary>
    /// <param name="Sink">Where the client's events go for socket clients; null for Akka.Remote clients.</param>
    /// <param name="RemoteClient">The Akka.Remote client's actor: watched, and told the events when there is no sink.</param>
    public sealed record OpenConnection(ClientInfo Client, IEventSink? Sink, IActorRef? RemoteClient);

    /// <summary>
    /// Sends the client the lifecycle events of one domain (or all when null) and of the listed types (or all when
    /// null); replaces any earlier subscription. Answered with <see cref="ConnectionReplies.EventsSubscribed"/>,
    /// or NO_DOMAIN when the domain does not exist.
    /// </summary>
    public sealed record SubscribeEvents(DomainRef? Domain = null, IReadOnlyList<DomainEventType>? Types = null);

    /// <summary>Stops the client's events; answered with <see cref="ConnectionReplies.EventsUnsubscribed"/>.</summary>
    public sealed record UnsubscribeEvents
    {
        public static readonly UnsubscribeEvents Instance = new();
    }

    /// <summary>The client said goodbye: autodestroy runs and the connection stops after answering <see cref="ConnectionReplies.ConnectionClosed"/>.</summary>
    public sealed record CloseConnection
    {
        public static readonly CloseConnection Instance = new();
    }
}

/// <summary>Answers to <see cref="ConnectionCommands"/>.</summary>
public static class ConnectionReplies
{
    /// <summary>The new connection's actor (/user/connections/<paramref name="Id"/>) and its number.</summary>
    public sealed record ConnectionOpened(IActorRef Connection, long Id);

    /// <summary>The subscription now in force; Domain is resolved to its UUID.</summary>
    public sealed record EventsSubscribed(EventSubscription Subscription);

    /// <summary>No events will reach the client any more.</summary>
    public sealed record EventsUnsubscribed
    {
        public static readonly EventsUnsubscribed Instance = new();
    }

    /// <summary>The connection is stopping; its autodestroy domains are being destroyed.</summary>
    public sealed record ConnectionClosed(long Id);
}
