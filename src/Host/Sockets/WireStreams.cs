using System.Collections.Concurrent;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;

namespace Virt.Host.Sockets;

/// <summary>
/// The byte streams open on one connection of Virt's protocol, by the serial of the call that opened each: the
/// client's stream frames go to their session, the session's bytes and its end go out as stream frames.
/// </summary>
internal sealed class WireStreams(Action<WireEnvelope> send)
{
    private readonly ConcurrentDictionary<long, IConsoleStream> _open = new();
    private bool _closed;
    private readonly Action<WireEnvelope> _send = send;

    /// <summary>
    /// Registers the stream, then queues its reply, then starts its output: the client may send as soon as it has the
    /// reply, and the session's bytes must follow the reply, never overtake it.
    /// </summary>
    public void Opened(long serial, string procedure, IConsoleStream stream, Action sendReply)
    {
        _open[serial] = stream;
        sendReply();
        // The connection may have closed meanwhile: its session must not outlive it.
        if (Volatile.Read(ref _closed) && _open.TryRemove(serial, out _))
        {
            stream.Close();
            return;
        }
        stream.Start(new Output(this, serial, procedure));
    }

    /// <summary>A stream frame from the client; one for a stream that has just ended is dropped.</summary>
    public void Received(WireEnvelope frame)
    {
        var chunk = WireStreamChunk.Read(frame);
        if (!_open.TryGetValue(frame.Serial, out var stream))
            return;
        if (chunk.Data is { Length: > 0 } data && !stream.Write(data) && _open.TryRemove(frame.Serial, out _))
        {
            stream.Close();
            _send(End(frame.Serial, frame.Procedure, new VirtException(ErrorCode.OperationFailed,
                $"the guest takes no more input: over {Supervisor.Consoles.PtyConsole.MaxPendingInput} bytes are waiting")));
            return;
        }
        if (chunk.End && _open.TryRemove(frame.Serial, out _))
            stream.Close();
    }

    /// <summary>The connection is going: every session it holds ends.</summary>
    public void CloseAll()
    {
        Volatile.Write(ref _closed, true);
        foreach (var serial in _open.Keys)
        {
            if (_open.TryRemove(serial, out var stream))
                stream.Close();
        }
    }

    private static WireEnvelope End(long serial, string procedure, VirtException? reason) => Frame(serial, procedure, new WireStreamChunk
    {
        End = true,
        Error = reason is null ? null : new WireError(reason.Code.WireName(), reason.Message),
    });

    private static WireEnvelope Frame(long serial, string procedure, WireStreamChunk chunk) =>
        new() { Type = MessageType.Stream, Serial = serial, Procedure = procedure, Body = WireStreamChunk.Body(chunk) };

    private sealed class Output(WireStreams owner, long serial, string procedure) : IConsoleOutput
    {
        public void Data(ReadOnlySpan<byte> data) => owner._send(Frame(serial, procedure, new WireStreamChunk { Data = data.ToArray() }));

        public void Ended(VirtException? reason)
        {
            if (owner._open.TryRemove(serial, out _))
                owner._send(End(serial, procedure, reason));
        }
    }
}
