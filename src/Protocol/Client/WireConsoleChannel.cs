using System.Threading.Channels;
using Virt.Protocol.Wire;

namespace Virt.Protocol.Client;

/// <summary>A console over the daemon socket: the stream frames that follow the open call's reply.</summary>
internal sealed class WireConsoleChannel(string device, WireStream stream) : IConsoleChannel
{
    public string Device { get; } = device;
    public ChannelReader<byte[]> Output => stream.Incoming;

    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default) => stream.SendAsync(data, ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await stream.EndAsync().ConfigureAwait(false);
        }
        catch (Errors.VirtException)
        {
            // the connection is gone, and the session with it
        }
    }
}
