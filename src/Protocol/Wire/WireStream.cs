using System.Text.Json;
using System.Threading.Channels;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Wire;

/// <summary>The client's side of one stream a call opened: the bytes that come, and a way to send and to end.</summary>
public sealed class WireStream
{
    private readonly Func<WireStream, WireStreamChunk, CancellationToken, Task> _send;
    private readonly Channel<byte[]> _incoming = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private int _ended;

    internal WireStream(long serial, string procedure, Func<WireStream, WireStreamChunk, CancellationToken, Task> send)
    {
        Serial = serial;
        Procedure = procedure;
        _send = send;
    }

    public long Serial { get; }
    public string Procedure { get; }
    /// <summary>The body of the reply that opened the stream.</summary>
    public JsonElement? Reply { get; internal set; }

    /// <summary>The other side's bytes; completes at its end, with the reason when it gave one or the connection was lost.</summary>
    public ChannelReader<byte[]> Incoming => _incoming.Reader;

    public Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken ct = default) =>
        Volatile.Read(ref _ended) == 1 ? Task.CompletedTask : _send(this, new WireStreamChunk { Data = data.ToArray() }, ct);

    /// <summary>Ends the stream from this side; the other side is told, once.</summary>
    public Task EndAsync(CancellationToken ct = default)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
            return Task.CompletedTask;
        _incoming.Writer.TryComplete();
        return _send(this, new WireStreamChunk { End = true }, ct);
    }

    internal void Deliver(WireStreamChunk chunk)
    {
        if (chunk.Data is { Length: > 0 } data)
            _incoming.Writer.TryWrite(data);
        if (!chunk.End)
            return;
        Volatile.Write(ref _ended, 1);
        _incoming.Writer.TryComplete(chunk.Error is { } error
            ? new VirtException(ErrorCodeNames.FromWireName(error.Code) ?? ErrorCode.InternalError, error.Message)
            : null);
    }

    internal void Lost(Exception reason)
    {
        Volatile.Write(ref _ended, 1);
        _incoming.Writer.TryComplete(reason);
    }
}
