using System.Text.Json;
using Virt.Protocol.Errors;

namespace Virt.Host.Sockets;

/// <summary>The daemon's side of one client connection: answers calls, lives as long as the client.</summary>
public interface IWireSession : IAsyncDisposable
{
    /// <summary>Answers one call; a VirtException becomes an error reply with its code.</summary>
    Task<JsonElement?> CallAsync(string procedure, JsonElement? body, CancellationToken ct);
}

/// <summary>Where a session pushes events for its client.</summary>
public interface IEventSink
{
    /// <summary>Queues an event; false when the client has stopped reading and was disconnected.</summary>
    bool TryPush(string procedure, JsonElement? body);

    /// <summary>Ends the connection, telling the client why.</summary>
    void Close(VirtException reason);
}

/// <summary>Opens a session per accepted client.</summary>
public interface IWireSessionFactory
{
    Task<IWireSession> OpenAsync(ClientIdentity client, IEventSink events, CancellationToken ct);
}
