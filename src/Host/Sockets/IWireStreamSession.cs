using System.Text.Json;
using Virt.Protocol.Api;

namespace Virt.Host.Sockets;

/// <summary>A session some of whose calls open a byte stream (a console) that follows their reply on the connection.</summary>
public interface IWireStreamSession
{
    bool OpensStream(string procedure);

    /// <summary>Makes the call; its reply body and the stream it opened. A refusal is a VirtException, as for any call.</summary>
    Task<(JsonElement? Reply, IConsoleStream Stream)> OpenStreamAsync(string procedure, JsonElement? body, CancellationToken ct);
}
