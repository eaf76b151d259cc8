using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Virt.Host.Daemon;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;

namespace Virt.Host.Sockets;

/// <summary>
/// Listens on one UNIX socket and serves each client with its own <see cref="SocketClientConnection"/>.
/// A misbehaving client only ever loses its own connection.
/// </summary>
public sealed class UnixSocketServer : IAsyncDisposable
{
    private readonly SocketServerOptions _options;
    private readonly IWireSessionFactory _sessions;
    private readonly ILogger _log;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<SocketClientConnection> _clients = [];
    private readonly Lock _clientsLock = new();
    private Task? _acceptLoop;
    private volatile bool _stopped;

    public UnixSocketServer(SocketServerOptions options, IWireSessionFactory sessions, ILogger log)
    {
        _options = options;
        _sessions = sessions;
        _log = log;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    }

    public int ClientCount { get { lock (_clientsLock) return _clients.Count; } }

    /// <summary>The daemon's own user is never limited per uid: it owns the daemon.</summary>
    private static readonly uint DaemonUid = NativeIds.EffectiveUid();

    /// <summary>Binds and starts accepting; a stale socket file from a dead daemon is replaced.</summary>
    public void Start()
    {
        if (File.Exists(_options.Path))
            File.Delete(_options.Path);
        _listener.Bind(new UnixDomainSocketEndPoint(_options.Path));
        File.SetUnixFileMode(_options.Path, _options.Mode);
        _listener.Listen(128);
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _log.LogInformation("Listening on {Socket} ({Access})", _options.Path, _options.ReadOnly ? "read-only" : "read-write");
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
        if (_options.AllowedUid is { } allowed && uid != allowed)
        {
            _log.LogWarning("Refused uid {Uid} (pid {Pid}) on {Socket}: only uid {Allowed} may connect", uid, pid, _options.Path, allowed);
            await RefuseAsync(stream, new VirtException(ErrorCode.OperationDenied, $"this daemon serves uid {allowed} only; uid {uid} may not connect")).ConfigureAwait(false);
            return;
        }

        SocketClientConnection? client = null;
        VirtException? refusal = null;
        lock (_clientsLock)
        {
            if (_clients.Count >= _options.MaxClients)
                refusal = new VirtException(ErrorCode.Rpc, $"too many clients (limit {_options.MaxClients})");
            else if (_options.MaxClientsPerUid is { } perUid && uid != DaemonUid && _clients.Count(c => c.Identity.Uid == uid) >= perUid)
                refusal = new VirtException(ErrorCode.Rpc, $"too many connections from uid {uid} (limit {perUid} per user)");
            else
            {
                client = new SocketClientConnection(stream, new ClientIdentity(pid, uid, gid, _options.ReadOnly, "unix"), _options, _sessions, _log);
                _clients.Add(client);
            }
        }
        if (client is null)
        {
            _log.LogWarning("Refused uid {Uid} (pid {Pid}) on {Socket}: {Reason}", uid, pid, _options.Path, refusal!.Message);
            await RefuseAsync(stream, refusal).ConfigureAwait(false);
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

    private static async Task RefuseAsync(NetworkStream stream, VirtException reason)
    {
        try
        {
            await FrameCodec.WriteAsync(stream, SocketClientConnection.ErrorEnvelope(0, "connection", reason)).ConfigureAwait(false);
            // Closing with unread input would reset the connection and could destroy the reason
            // before the client reads it: half-close, then drain briefly.
            stream.Socket.Shutdown(SocketShutdown.Send);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var sink = new byte[4096];
            while (await stream.ReadAsync(sink, limit.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
        {
        }
        await stream.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops accepting, lets calls in flight answer (bounded), then closes every client.</summary>
    public async Task StopAsync(TimeSpan drain)
    {
        _stopped = true;
        _listener.Close();
        SocketClientConnection[] clients;
        lock (_clientsLock)
            clients = [.. _clients];
        await Task.WhenAll(clients.Select(c => c.DrainAsync(drain))).ConfigureAwait(false);
        _stopping.Cancel();
        if (_acceptLoop is not null)
            await _acceptLoop.ConfigureAwait(false);
        try { File.Delete(_options.Path); }
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
