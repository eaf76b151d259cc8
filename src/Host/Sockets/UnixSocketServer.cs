using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Virt.Host.Daemon;
using Virt.Host.Libvirt;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Wire;
using Virt.Supervisor.Native;

namespace Virt.Host.Sockets;

/// <summary>
/// Listens on one UNIX socket and serves each client with its own connection, in Virt's protocol or in libvirt's,
/// whichever the client's first frame speaks.
/// A misbehaving client only ever loses its own connection.
/// </summary>
public sealed class UnixSocketServer : IAsyncDisposable
{
    private readonly SocketServerOptions _options;
    private readonly IWireSessionFactory _sessions;
    private readonly ILogger _log;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILibvirtSessionFactory? _libvirt;
    private readonly HashSet<IClientConnection> _clients = [];
    private readonly Lock _clientsLock = new();
    private Task? _acceptLoop;
    private volatile bool _stopped;
    private (ulong Inode, long ChangeSeconds, uint ChangeNanoseconds)? _bound;

    /// <param name="libvirt">Serves libvirt's remote protocol on the same socket; null refuses such clients.</param>
    /// <param name="activated">A socket systemd already bound and listens on (socket activation): used as it is, and left in place at stop.</param>
    public UnixSocketServer(SocketServerOptions options, IWireSessionFactory sessions, ILogger log, ILibvirtSessionFactory? libvirt = null,
        Socket? activated = null)
    {
        _options = options;
        _sessions = sessions;
        _libvirt = libvirt;
        _log = log;
        _activated = activated is not null;
        _listener = activated ?? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    }

    private readonly bool _activated;

    public int ClientCount { get { lock (_clientsLock) return _clients.Count; } }

    /// <summary>The daemon's own user is never limited per uid: it owns the daemon.</summary>
    private static readonly uint DaemonUid = NativeFiles.GetEuid();

    /// <summary>Binds and starts accepting; a stale socket file from a dead daemon is replaced.</summary>
    public void Start()
    {
        if (_activated)
        {
            // systemd owns the socket file and its mode; clients queued in its backlog are served now.
            _acceptLoop = Task.Run(AcceptLoopAsync);
            _log.LogInformation("Listening on {Socket} ({Access}), passed by systemd", _options.Path, _options.ReadOnly ? "read-only" : "read-write");
            return;
        }
        ClaimPath(_options.Path);
        // Bound under a side name and renamed into place: .NET unlinks the name a socket was bound to when it closes,
        // and at stop that must not remove a socket another daemon has bound at the path since.
        var side = _options.Path + Supervisor.Paths.VirtPaths.SocketBindSuffix;
        try
        {
            if (NativeFiles.LinkStat(side) is { Mode: var mode } && (mode & 0xF000) == NativeFiles.SocketType)
                File.Delete(side);
            _listener.Bind(new UnixDomainSocketEndPoint(side));
            File.SetUnixFileMode(side, _options.Mode);
            File.Move(side, _options.Path, overwrite: true);
        }
        catch (Exception e) when (e is SocketException or ArgumentException)
        {
            throw new IOException($"cannot bind {_options.Path}: {e.Message}", e);
        }
        _bound = NativeFiles.LinkStat(_options.Path)?.Identity;
        _listener.Listen(128);
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _log.LogInformation("Listening on {Socket} ({Access})", _options.Path, _options.ReadOnly ? "read-only" : "read-write");
    }

    /// <summary>
    /// The path must be free to bind: nothing there, or a socket nobody listens on (left by a daemon that died). A live
    /// listener, such as libvirt's own daemon on its default path, or any other kind of file is refused and left alone.
    /// </summary>
    private static void ClaimPath(string path)
    {
        if (NativeFiles.LinkStat(path) is not { } found)
            return;
        if ((found.Mode & 0xF000) != NativeFiles.SocketType)
            throw new IOException($"{path} exists and is not a socket; it is left as it is");
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            probe.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            File.Delete(path);
            return;
        }
        catch (OperationCanceledException)
        {
            // A listener whose backlog is full is still a listener.
        }
        throw new IOException($"another process already listens on {path}");
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopped)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stopped)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.LogWarning("Accept failed on {Socket}: {Error}", _options.Path, e.Message);
                continue;
            }
            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        var (pid, uid, gid) = PeerCredentials.Get(socket);
        // Both protocols have the client speak first; its first bytes tell which one it speaks.
        var protocol = await SniffAsync(socket, stream).ConfigureAwait(false);
        if (protocol is null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        if (_options.AllowedUid is { } allowed && uid != allowed)
        {
            _log.LogWarning("Refused uid {Uid} (pid {Pid}) on {Socket}: only uid {Allowed} may connect", uid, pid, _options.Path, allowed);
            await RefuseAsync(stream, protocol.Value, new VirtException(ErrorCode.OperationDenied, $"this daemon serves uid {allowed} only; uid {uid} may not connect")).ConfigureAwait(false);
            return;
        }

        IClientConnection? client = null;
        VirtException? refusal = null;
        lock (_clientsLock)
        {
            if (_clients.Count >= _options.MaxClients)
                refusal = new VirtException(ErrorCode.Rpc, $"too many clients (limit {_options.MaxClients})");
            else if (_options.MaxClientsPerUid is { } perUid && uid != DaemonUid && _clients.Count(c => c.Identity.Uid == uid) >= perUid)
                refusal = new VirtException(ErrorCode.Rpc, $"too many connections from uid {uid} (limit {perUid} per user)");
            else
            {
                var identity = new ClientIdentity(pid, uid, gid, _options.ReadOnly, "unix");
                client = protocol == ClientProtocol.Libvirt
                    ? new LibvirtConnection(stream, identity, _options, _libvirt!, _log)
                    : new JsonConnection(stream, identity, _options, _sessions, _log);
                _clients.Add(client);
            }
        }
        if (client is null)
        {
            _log.LogWarning("Refused uid {Uid} (pid {Pid}) on {Socket}: {Reason}", uid, pid, _options.Path, refusal!.Message);
            await RefuseAsync(stream, protocol.Value, refusal).ConfigureAwait(false);
            return;
        }

        try
        {
            await client.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        finally
        {
            lock (_clientsLock)
                _clients.Remove(client);
        }
    }

    private enum ClientProtocol { Json, Libvirt }

    /// <summary>
    /// Peeks at the first 8 bytes without taking them: bytes 4-7 are libvirt's REMOTE program for virsh and the
    /// library (which write their first packet whole), anything else is Virt's own protocol, whose reader reports what
    /// is wrong with it. Null when the client says nothing in time (told so in Virt's protocol), or speaks libvirt's
    /// protocol to a server that does not serve it.
    /// </summary>
    private async Task<ClientProtocol?> SniffAsync(Socket socket, NetworkStream stream)
    {
        var head = new byte[8];
        int got;
        using (var limit = new CancellationTokenSource(_options.FirstCallTimeout))
        {
            try
            {
                got = await socket.ReceiveAsync(head, SocketFlags.Peek, limit.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                _log.LogWarning("Closing a client on {Socket}: nothing sent within {Timeout} s of connecting", _options.Path, _options.FirstCallTimeout.TotalSeconds);
                await RefuseAsync(stream, ClientProtocol.Json,
                    new VirtException(ErrorCode.Rpc, $"no call within {_options.FirstCallTimeout.TotalSeconds:0.###} s of connecting; connection closed")).ConfigureAwait(false);
                return null;
            }
        }
        // A first frame written in pieces: the rest of the 8 bytes gets a moment to arrive.
        for (var wait = 0; got is > 0 and < 8 && wait < 20; wait++)
        {
            await Task.Delay(5).ConfigureAwait(false);
            got = socket.Available >= 8 ? 8 : Math.Max(got, socket.Available);
        }
        if (got == 0)
            return null;
        if (got >= 8)
            await socket.ReceiveAsync(head, SocketFlags.Peek).ConfigureAwait(false);
        if (got < 8 || !LibvirtFraming.LooksLikeLibvirt(head))
            return ClientProtocol.Json;
        if (_libvirt is not null)
            return ClientProtocol.Libvirt;
        _log.LogWarning("Closing a libvirt client on {Socket}: this socket does not serve libvirt's protocol", _options.Path);
        return null;
    }

    private static async Task RefuseAsync(NetworkStream stream, ClientProtocol protocol, VirtException reason)
    {
        try
        {
            if (protocol == ClientProtocol.Libvirt)
            {
                // Its first call gets the refusal as its reply, so virsh prints the reason.
                if (await LibvirtFraming.ReadAsync(stream, 64 * 1024, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false) is { } call)
                    await stream.WriteAsync(LibvirtConnection.ErrorReply(call.Header, LibvirtError.From(reason.Code == ErrorCode.Rpc ? ErrorCode.OperationFailed : reason.Code, reason.Message))).ConfigureAwait(false);
            }
            else
            {
                await FrameCodec.WriteAsync(stream, JsonConnection.ErrorEnvelope(0, "connection", reason)).ConfigureAwait(false);
            }
            // Closing with unread input would reset the connection and could destroy the reason
            // before the client reads it: half-close, then drain briefly.
            stream.Socket.Shutdown(SocketShutdown.Send);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var sink = new byte[4096];
            while (await stream.ReadAsync(sink, limit.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or TimeoutException or VirtException)
        {
        }
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops accepting, lets calls in flight answer (bounded), then closes every client.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        _stopped = true;
        _listener.Close();
        IClientConnection[] clients;
        lock (_clientsLock)
            clients = [.. _clients];
        await Task.WhenAll(clients.Select(c => c.DrainAsync(drain))).ConfigureAwait(false);
        _stopping.Cancel();
        if (_acceptLoop is not null)
            await _acceptLoop.ConfigureAwait(false);
        // Only the socket this server bound: another daemon may have taken the path since.
        try
        {
            if (_bound is { } bound && NativeFiles.LinkStat(_options.Path)?.Identity == bound)
                File.Delete(_options.Path);
        }
        catch (IOException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
            await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _listener.Dispose();
        _stopping.Dispose();
    }
}
