using System.Collections.Concurrent;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Host.Sockets;

/// <summary>
/// The streams open on one libvirt connection, by the serial of the call that opened each (libvirt's rules,
/// remote_daemon_stream.c, virNetServerProgramSendStreamData): data is STREAM with status CONTINUE both ways, and the
/// guest's side closing is an empty CONTINUE (an OK the client did not ask for breaks its connection); an end for a
/// reason is STREAM ERROR with a remote_error. The client's finish (OK) and abort (ERROR) are both answered with an
/// empty STREAM OK, without which virStreamAbort waits for its timeout.
/// </summary>
internal sealed class LibvirtStreams(Action<byte[]> send)
{
    private readonly ConcurrentDictionary<uint, IConsoleStream> _open = new();
    private bool _closed;
    private readonly Action<byte[]> _send = send;

    /// <summary>
    /// Registers the stream, then queues its reply, then starts its output: the client may send as soon as it has the
    /// reply, and the session's bytes must follow the reply, never overtake it.
    /// </summary>
    public void Opened(LibvirtHeader call, IConsoleStream stream, Action sendReply)
    {
        _open[call.Serial] = stream;
        sendReply();
        // The connection may have closed meanwhile: its session must not outlive it.
        if (Volatile.Read(ref _closed) && _open.TryRemove(call.Serial, out _))
        {
            stream.Close();
            return;
        }
        stream.Start(new Output(this, StreamHeader(call, LibvirtStatus.Continue)));
    }

    public void Received(LibvirtPacket packet)
    {
        var header = packet.Header;
        switch (header.Status)
        {
            case LibvirtStatus.Continue:
                if (_open.TryGetValue(header.Serial, out var stream) && !stream.Write(packet.Body.Span) && _open.TryRemove(header.Serial, out _))
                {
                    stream.Close();
                    _send(Error(header, new VirtException(ErrorCode.OperationFailed,
                        $"the guest takes no more input: over {Supervisor.Consoles.PtyConsole.MaxPendingInput} bytes are waiting")));
                }
                break;
            default:
                // finish or abort; answered even for a stream that has just ended on our side, which the client then drops
                if (_open.TryRemove(header.Serial, out var ending))
                    ending.Close();
                _send(LibvirtFraming.Encode(header with { Status = LibvirtStatus.Ok }, []));
                break;
        }
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

    private static LibvirtHeader StreamHeader(LibvirtHeader call, LibvirtStatus status) =>
        call with { Type = LibvirtMessageType.Stream, Status = status };

    private static byte[] Error(LibvirtHeader header, VirtException reason)
    {
        var body = new XdrWriter();
        LibvirtError.From(reason).Write(body);
        return LibvirtFraming.Encode(StreamHeader(header, LibvirtStatus.Error), body.Written);
    }

    private sealed class Output(LibvirtStreams owner, LibvirtHeader data) : IConsoleOutput
    {
        public void Data(ReadOnlySpan<byte> bytes) => owner._send(LibvirtFraming.Encode(data, bytes));

        public void Ended(VirtException? reason)
        {
            if (owner._open.TryRemove(data.Serial, out _))
                owner._send(reason is null ? LibvirtFraming.Encode(data, []) : Error(data, reason));
        }
    }
}
