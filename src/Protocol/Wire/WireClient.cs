using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Wire;

/// <summary>An event pushed by the daemon: its procedure name and body.</summary>
public sealed record WireEvent(string Procedure, JsonElement? Body);

/// <summary>
/// Client side of the framed protocol over a stream: calls carry serials, replies may come in any
/// order, events arrive on the same connection. One reader loop, one writer at a time.
/// </summary>
public sealed class WireClient : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly IDisposable? _owner;
    private readonly int _maxFrameBytes;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<WireEnvelope>> _pending = new();
    private readonly ConcurrentDictionary<long, WireStream> _streams = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Channel<WireEvent> _events = Channel.CreateBounded<WireEvent>(
        new BoundedChannelOptions(4096) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false });
    private readonly CancellationTokenSource _closing = new();
    // Started after the first frame is written, so the reader's threads come up while the daemon works on the call.
    private readonly Lazy<Task> _readLoop;
    private readonly string _peer;
    private readonly TimeSpan _keepaliveInterval;
    private readonly TimeSpan _keepaliveTimeout;
    private long _nextSerial;
    private long _lastHeard = Environment.TickCount64;
    private volatile bool _readingEvents;
    private Exception? _closedBecause;
    private int _disposed;

    /// <param name="peer">How messages name the other end ("the daemon at /run/virt/virt-sock").</param>
    /// <param name="keepaliveInterval">The daemon's heartbeat interval, for messages and the check's pace.</param>
    public WireClient(Stream stream, int maxFrameBytes = FrameCodec.DefaultMaxFrameBytes, IDisposable? owner = null,
        string peer = "the daemon", TimeSpan? keepaliveInterval = null, TimeSpan? keepaliveTimeout = null)
    {
        _stream = stream;
        _owner = owner;
        _maxFrameBytes = maxFrameBytes;
        _peer = peer;
        _keepaliveInterval = keepaliveInterval ?? Keepalive.Interval;
        _keepaliveTimeout = keepaliveTimeout ?? Keepalive.Timeout;
        _readLoop = new Lazy<Task>(() =>
        {
            _ = Task.Run(KeepaliveLoopAsync);
            return Task.Run(ReadLoopAsync);
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Completes when the connection has ended, for whatever reason.</summary>
    public Task Completion => _readLoop.Value;

    /// <param name="restartWait">How long to keep trying while the socket is missing or refuses, as during a daemon restart.</param>
    public static async Task<WireClient> ConnectUnixAsync(string socketPath, int maxFrameBytes = FrameCodec.DefaultMaxFrameBytes,
        TimeSpan restartWait = default, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + restartWait;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                return new WireClient(new NetworkStream(socket, ownsSocket: true), maxFrameBytes, peer: $"the daemon at {socketPath}");
            }
            catch (SocketException e)
            {
                socket.Dispose();
                // Refused: a socket file with nobody listening (the old daemon gone); missing: the new one not bound yet.
                var restarting = e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable
                    || !File.Exists(socketPath);
                if (!restarting || DateTime.UtcNow >= deadline)
                    throw new VirtException(ErrorCode.OperationFailed,
                        $"cannot connect to the daemon at {socketPath}: {e.Message} (is virtd running?)", e);
            }
            await Task.Delay(RestartPoll, ct).ConfigureAwait(false);
        }
    }

    private static readonly TimeSpan RestartPoll = TimeSpan.FromMilliseconds(20);

    public Task<JsonElement?> CallAsync(string procedure, JsonElement? body, TimeSpan? timeout = null, CancellationToken ct = default) =>
        CallAsync(procedure, body, timeout, null, ct);

    /// <summary>A call whose reply opens a byte stream (a console): the stream is listening before the call is sent.</summary>
    public async Task<WireStream> OpenStreamAsync(string procedure, JsonElement? body, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        WireStream? stream = null;
        try
        {
            var reply = await CallAsync(procedure, body, timeout, serial =>
            {
                stream = new WireStream(serial, procedure, SendStreamAsync);
                _streams[serial] = stream;
            }, ct).ConfigureAwait(false);
            stream!.Reply = reply;
            return stream;
        }
        catch
        {
            if (stream is not null)
                _streams.TryRemove(stream.Serial, out _);
            throw;
        }
    }

    private async Task SendStreamAsync(WireStream stream, WireStreamChunk chunk, CancellationToken ct)
    {
        if (chunk.End)
            _streams.TryRemove(stream.Serial, out _);
        var frame = FrameCodec.Encode(new WireEnvelope
        {
            Type = MessageType.Stream,
            Serial = stream.Serial,
            Procedure = stream.Procedure,
            Body = WireStreamChunk.Body(chunk),
        }, _maxFrameBytes);
        await SendAsync(frame, stream.Procedure, ct).ConfigureAwait(false);
    }

    private async Task<JsonElement?> CallAsync(string procedure, JsonElement? body, TimeSpan? timeout, Action<long>? beforeSend, CancellationToken ct)
    {
        if (_closedBecause is not null || (_readLoop.IsValueCreated && _readLoop.Value.IsCompleted))
            throw Closed();
        var serial = Interlocked.Increment(ref _nextSerial);
        var pending = new TaskCompletionSource<WireEnvelope>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[serial] = pending;
        beforeSend?.Invoke(serial);
        try
        {
            var frame = FrameCodec.Encode(new WireEnvelope { Type = MessageType.Call, Serial = serial, Procedure = procedure, Body = body }, _maxFrameBytes);
            await SendAsync(frame, procedure, ct).ConfigureAwait(false);
            _ = _readLoop.Value;

            var limit = timeout ?? Timeout.InfiniteTimeSpan;
            WireEnvelope reply;
            try
            {
                reply = await pending.Task.WaitAsync(limit, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new VirtException(ErrorCode.OperationTimeout, $"no reply to {procedure} within {limit.TotalSeconds:0.###} s");
            }
            if (reply.Type == MessageType.Error)
            {
                var error = FrameCodec.ReadError(reply);
                throw new VirtException(ErrorCodeNames.FromWireName(error.Code) ?? ErrorCode.InternalError, error.Message);
            }
            return reply.Body;
        }
        finally
        {
            _pending.TryRemove(serial, out _);
        }
    }

    private async Task SendAsync(byte[] frame, string procedure, CancellationToken ct)
    {
        await _writeLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(frame, ct).ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
            // Silence is counted from the later of the last frame heard and this send.
            Interlocked.Exchange(ref _lastHeard, Math.Max(Interlocked.Read(ref _lastHeard), Environment.TickCount64));
        }
        catch (IOException e)
        {
            throw new VirtException(ErrorCode.Rpc, $"connection to {_peer} lost while sending {procedure}: {e.Message}", e);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Events in arrival order; ends when the connection ends.</summary>
    public IAsyncEnumerable<WireEvent> ReadEventsAsync(CancellationToken ct = default)
    {
        _readingEvents = true;
        _ = _readLoop.Value;
        return _events.Reader.ReadAllAsync(ct);
    }

    /// <summary>
    /// While a call waits or events are read, a connection silent for <see cref="Keepalive.Timeout"/> is given up: the
    /// daemon sends a heartbeat every <see cref="Keepalive.Interval"/>, so silence means it is stopped or hung.
    /// </summary>
    private async Task KeepaliveLoopAsync()
    {
        using var timer = new PeriodicTimer(_keepaliveInterval / 2);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                if (_pending.IsEmpty && !_readingEvents && _streams.IsEmpty)
                    continue;
                var silent = TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastHeard));
                if (silent >= _keepaliveTimeout)
                {
                    Fail(new VirtException(ErrorCode.Rpc, $"{_peer} sent nothing for {silent.TotalSeconds:0} s, not even its " +
                        $"heartbeat every {_keepaliveInterval.TotalSeconds:0} s: it is stopped or hung"));
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Ends the connection from our side: every waiting call gets <paramref name="reason"/>.</summary>
    private void Fail(VirtException reason)
    {
        if (Interlocked.CompareExchange(ref _closedBecause, reason, null) is not null)
            return;
        foreach (var waiter in _pending.Values)
            waiter.TrySetException(reason);
        foreach (var stream in _streams.Values)
            stream.Lost(reason);
        _events.Writer.TryComplete(reason);
        try { _closing.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    private async Task ReadLoopAsync()
    {
        Exception? failure = null;
        try
        {
            while (failure is null && await FrameCodec.ReadAsync(_stream, _maxFrameBytes, _closing.Token).ConfigureAwait(false) is { } envelope)
            {
                Interlocked.Exchange(ref _lastHeard, Environment.TickCount64);
                switch (envelope.Type)
                {
                    case MessageType.Event when envelope.Procedure == Keepalive.HeartbeatProcedure:
                        break;
                    case MessageType.Event:
                        _events.Writer.TryWrite(new WireEvent(envelope.Procedure, envelope.Body));
                        break;
                    case MessageType.Stream when _streams.TryGetValue(envelope.Serial, out var stream):
                        var chunk = WireStreamChunk.Read(envelope);
                        if (chunk.End)
                            _streams.TryRemove(envelope.Serial, out _);
                        stream.Deliver(chunk);
                        break;
                    case MessageType.Reply or MessageType.Error when _pending.TryGetValue(envelope.Serial, out var waiter):
                        waiter.TrySetResult(envelope);
                        break;
                    case MessageType.Error when envelope.Serial == 0:
                        // The daemon explains why it is closing the connection.
                        var error = FrameCodec.ReadError(envelope);
                        failure = new VirtException(ErrorCodeNames.FromWireName(error.Code) ?? ErrorCode.Rpc, error.Message);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or VirtException or ObjectDisposedException)
        {
            failure = e;
        }
        Interlocked.CompareExchange(ref _closedBecause, failure is VirtException ? failure : new VirtException(ErrorCode.Rpc,
            failure is null ? $"{_peer} closed the connection" : $"connection to {_peer} lost: {failure.Message}", failure), null);
        foreach (var waiter in _pending.Values)
            waiter.TrySetException(_closedBecause);
        foreach (var stream in _streams.Values)
            stream.Lost(_closedBecause);
        _events.Writer.TryComplete();
    }

    private VirtException Closed() =>
        _closedBecause as VirtException ?? new VirtException(ErrorCode.Rpc, "the connection to the daemon is closed");

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        _closing.Cancel();
        await _stream.DisposeAsync().ConfigureAwait(false);
        _owner?.Dispose();
        if (_readLoop.IsValueCreated)
        {
            try { await _readLoop.Value.ConfigureAwait(false); }
            catch (Exception) { }
        }
        _events.Writer.TryComplete();
        _writeLock.Dispose();
        _closing.Dispose();
    }
}
