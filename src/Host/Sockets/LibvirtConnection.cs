using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Virt.Host.Libvirt;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Host.Sockets;

/// <summary>
/// A client of libvirt's remote protocol (virsh, python3-libvirt, virt-install): packets in, replies and event messages
/// out, keepalive PINGs answered at once. Programs and message types Virt does not serve get libvirt's own errors.
/// </summary>
internal sealed class LibvirtConnection(NetworkStream stream, ClientIdentity identity, SocketServerOptions options, ILibvirtSessionFactory sessions, ILogger log)
    : FramedConnection<LibvirtPacket>(stream, identity, options, log), ILibvirtOutput
{
    private static readonly byte[] Pong = LibvirtFraming.Encode(
        new LibvirtHeader(LibvirtProgram.Keepalive, LibvirtProgram.Version, LibvirtProgram.KeepalivePong, LibvirtMessageType.Message, 0, LibvirtStatus.Ok), []);

    private ILibvirtSession? _session;
    private LibvirtStreams? _streams;

    private LibvirtStreams Streams => LazyInitializer.EnsureInitialized(ref _streams, () => new LibvirtStreams(packet => Enqueue(packet, false)));

    protected override Task<bool> OpenAsync(CancellationToken ct)
    {
        _session = sessions.Open(Identity, this);
        return Task.FromResult(true);
    }

    protected override ValueTask CloseSessionAsync()
    {
        Streams.CloseAll(); // made if need be: a console open still being answered finds it closed
        return _session?.DisposeAsync() ?? ValueTask.CompletedTask;
    }

    protected override Task<LibvirtPacket?> ReadFrameAsync(CancellationToken ct) => LibvirtFraming.ReadAsync(Stream, Options.MaxFrameBytes, ct);

    protected override Task? Handle(LibvirtPacket packet, CancellationToken ct)
    {
        var header = packet.Header;
        if (header.Program == LibvirtProgram.Keepalive)
        {
            if (header.Procedure == LibvirtProgram.KeepalivePing && header.Type == LibvirtMessageType.Message)
                Enqueue(Pong, false);
            return null; // a PONG, or anything else of the keepalive program, needs no answer
        }
        if (header.Type == LibvirtMessageType.Stream)
        {
            Streams.Received(packet);
            return null;
        }
        if (header.Type == LibvirtMessageType.StreamHole)
        {
            Close(new VirtException(ErrorCode.Rpc, "sparse streams are not supported"));
            return null;
        }
        if (header.Type is not (LibvirtMessageType.Call or LibvirtMessageType.CallWithFds))
            return null; // a client's MESSAGE of another program: nothing Virt answers
        if (header.Program is not (LibvirtProgram.Remote or LibvirtProgram.Qemu) || header.Version != LibvirtProgram.Version)
        {
            Enqueue(ErrorReply(header, new LibvirtError(LibvirtError.Rpc, LibvirtError.FromRpc,
                $"Cannot find program {header.Program} version {header.Version}")), false);
            return null;
        }
        if (header.Type == LibvirtMessageType.CallWithFds)
        {
            Enqueue(ErrorReply(header, LibvirtError.Unsupported("passing file descriptors")), false);
            return null;
        }
        if (Draining)
        {
            Enqueue(ErrorReply(header, LibvirtError.From(ErrorCode.OperationInvalid, "the daemon is shutting down")), false);
            return null;
        }
        return DispatchAsync(packet, ct);
    }

    private async Task DispatchAsync(LibvirtPacket call, CancellationToken ct)
    {
        byte[] reply;
        IConsoleStream? stream = null;
        IReadOnlyList<System.Runtime.InteropServices.SafeHandle>? fds = null;
        try
        {
            if (_session is ILibvirtFdSession passing && passing.PassesFds(call.Header))
                (reply, fds) = await passing.CallWithFdsAsync(call, ct).ConfigureAwait(false);
            else if (_session is ILibvirtStreamSession streaming && streaming.OpensStream(call.Header))
                (reply, stream) = await streaming.OpenStreamAsync(call, ct).ConfigureAwait(false);
            else
                reply = await _session!.CallAsync(call, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            Log.LogError(e, "libvirt procedure {Program:x}/{Procedure} failed unexpectedly", call.Header.Program, call.Header.Procedure);
            reply = ErrorReply(call.Header, LibvirtError.From(ErrorCode.InternalError, e.Message));
        }
        if (reply.Length - 4 > Options.MaxFrameBytes)
            reply = ErrorReply(call.Header, LibvirtError.From(ErrorCode.OperationFailed, $"the reply of {reply.Length} bytes exceeds the limit of {Options.MaxFrameBytes} bytes"));
        // The record of what each client asked, at debug level (virtd --verbose): what a GUI needs is read off it.
        if (Log.IsEnabled(LogLevel.Debug))
            Log.LogDebug("libvirt {Program} procedure {Procedure} served: {Outcome}",
                call.Header.Program == LibvirtProgram.Qemu ? "qemu" : "remote", call.Header.Procedure, LibvirtFraming.IsOk(reply) ? "ok" : "error");
        if (fds is { Count: > 0 })
            Enqueue(reply, false, fds); // one item: the descriptors go right after their packet
        else if (stream is null)
            Enqueue(reply, false);
        else
            Streams.Opened(call.Header, stream, () => Enqueue(reply, false));
    }

    public bool TryPush(byte[] packet)
    {
        if (Closed)
            return false;
        Enqueue(packet, true);
        return !Closed;
    }

    /// <summary>libvirt has no frame that says why: the client sees the connection end.</summary>
    protected override byte[] CloseFrame(VirtException reason) => [];

    internal static byte[] ErrorReply(LibvirtHeader call, LibvirtError error)
    {
        var body = new XdrWriter();
        error.Write(body);
        return LibvirtFraming.Encode(call.Reply(LibvirtStatus.Error), body.Written);
    }
}
