using System.Threading.Channels;

namespace Virt.Protocol.Client;

/// <summary>A client's end of a console session: the guest's bytes as they come, and a way to type. Disposing detaches.</summary>
public interface IConsoleChannel : IAsyncDisposable
{
    /// <summary>The device the session holds (serial0, console1).</summary>
    string Device { get; }

    /// <summary>The guest's output; completes when the session ends, with a VirtException when it ended for a reason (taken over).</summary>
    ChannelReader<byte[]> Output { get; }

    Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default);
}

/// <summary>A transport that carries a console's bytes itself (the daemon socket, with stream frames).</summary>
public interface IConsoleTransport
{
    Task<IConsoleChannel> OpenConsoleAsync(Api.ConsoleCommands.OpenConsole command, TimeSpan timeout, CancellationToken ct);
}
