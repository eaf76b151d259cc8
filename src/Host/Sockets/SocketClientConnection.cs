using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;

namespace Virt.Host.Sockets;

/// <summary>
/// One client: a reader loop that dispatches calls concurrently and a writer loop that sends replies and events in
/// the order they are ready. What a client can make the daemon hold is bounded: at most max-calls-in-flight calls run
/// at once and the reader waits for a free slot rather than fail a call; when the client leaves its replies unread
/// the reader stops reading; past max-queued-bytes (or max-queued-events) the client is cut off with the reason.
/// </summary>
internal sealed class SocketClientConnection : IEventSink
{
    private const int MaxEchoedProcedure = 128;
    private const int MaxErrorMessage = 8 * 1024;

    private readonly NetworkStream _stream;
    private readonly ClientIdentity _identity;
    private readonly SocketServerOptions _options;
    private readonly IWireSessionFactory _sessions;
    private readonly ILogger _log;
    private readonly OutgoingFrames _outgoing;
    private readonly SemaphoreSlim _callSlots;
    private readonly CancellationTokenSource _closing = new();
    private int _callsInFlight;
    private int _draining;
    private VirtException? _closeReason;

    public SocketClientConnection(NetworkStream stream, ClientIdentity identity, SocketServerOptions options, IWireSessionFactory sessions, ILogger log)
    {
        _stream = stream;
        _identity = identity;
        _options = options;
        _sessions = sessions;
        _log = log;
        _outgoing = new OutgoingFrames(options.MaxQueuedBytes, options.MaxQueuedEvents);
        _callSlots = new SemaphoreSlim(options.MaxCallsInFlight, options.MaxCallsInFlight);
    }

    public ClientIdentity Identity => _identity;

    public async Task RunAsync(CancellationToken serverStopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(serverStopping, _closing.Token);
        IWireSession session;
        try
        {
            session = await _sessions.OpenAsync(_identity, this, linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogError(e, "Cannot open a session for client pid {Pid}", _identity.Pid);
            await FrameCodec.WriteAsync(_stream, ErrorEnvelope(0, "connection", e as VirtException
                ?? new VirtException(ErrorCode.InternalError, $"cannot open a session: {e.Message}"))).ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        await using var sessionScope = session;
        var writer = Task.Run(() => WriteLoopAsync(linked.Token));
        try
        {
            await ReadLoopAsync(session, linked.Token).ConfigureAwait(false);
        }
        catch (WireProtocolException e)
        {
            _log.LogWarning("Client pid {Pid} uid {Uid} sent a bad frame: {Error}", _identity.Pid, _identity.Uid, e.Message);
            Close(e);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _outgoing.Complete();
            try { await writer.ConfigureAwait(false); }
            catch (Exception) { }
            if (_closeReason is not null)
                await DrainInputAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            _closing.Dispose();
        }
    }

    private async Task ReadLoopAsync(IWireSession session, CancellationToken ct)
    {
        var firstCall = true;
        while (true)
        {
            // Backpressure: no new call is read while every slot is busy or the client leaves its replies unread.
            await _callSlots.WaitAsync(ct).ConfigureAwait(false);
            var slotHeld = true;
            try
            {
                await _outgoing.WhenReadableAsync(ct).ConfigureAwait(false);
                var envelope = firstCall ? await ReadFirstAsync(ct).ConfigureAwait(false)
                    : await FrameCodec.ReadAsync(_stream, _options.MaxFrameBytes, ct).ConfigureAwait(false);
                if (envelope is null)
                    return;
                firstCall = false;
                if (envelope.Type != MessageType.Call)
                {
                    Close(new VirtException(ErrorCode.Rpc, $"expected a call, got a {envelope.Type.ToString().ToLowerInvariant()}"));
                    return;
                }
                if (envelope.Procedure.Length > MaxEchoedProcedure)
                {
                    // No procedure has such a name; saying so must not echo it back.
                    Enqueue(ErrorEnvelope(envelope.Serial, "unknown", new VirtException(ErrorCode.Rpc,
                        $"unknown procedure (a name of {envelope.Procedure.Length} characters)")), false);
                    continue;
                }
                if (Volatile.Read(ref _draining) == 1)
                {
                    Enqueue(ErrorEnvelope(envelope.Serial, envelope.Procedure, new VirtException(ErrorCode.OperationInvalid, "the daemon is shutting down")), false);
                    continue;
                }
                Interlocked.Increment(ref _callsInFlight);
                slotHeld = false;
                _ = DispatchAsync(session, envelope, ct);
            }
            finally
            {
                if (slotHeld)
                    _callSlots.Release();
            }
        }
    }

    /// <summary>A client that sends no whole call soon after connecting is closed: idle connections must not hold slots.</summary>
    private async Task<WireEnvelope?> ReadFirstAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(_options.FirstCallTimeout);
        try
        {
            return await FrameCodec.ReadAsync(_stream, _options.MaxFrameBytes, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            _log.LogWarning("Closing client pid {Pid} uid {Uid}: no call within {Timeout} s of connecting", _identity.Pid, _identity.Uid,
                _options.FirstCallTimeout.TotalSeconds);
            Close(new VirtException(ErrorCode.Rpc, $"no call within {_options.FirstCallTimeout.TotalSeconds:0.###} s of connecting; connection closed"));
            return null;
        }
    }

    private async Task DispatchAsync(IWireSession session, WireEnvelope call, CancellationToken ct)
    {
        WireEnvelope answer;
        try
        {
            var body = await session.CallAsync(call.Procedure, call.Body, ct).ConfigureAwait(false);
            answer = new WireEnvelope { Type = MessageType.Reply, Serial = call.Serial, Procedure = call.Procedure, Body = body };
        }
        catch (VirtException e)
        {
            answer = ErrorEnvelope(call.Serial, call.Procedure, e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogError(e, "Procedure {Procedure} failed unexpectedly", call.Procedure);
            answer = ErrorEnvelope(call.Serial, call.Procedure, new VirtException(ErrorCode.InternalError, $"{call.Procedure} failed: {e.Message}"));
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            Interlocked.Decrement(ref _callsInFlight);
            try { _callSlots.Release(); }
            catch (ObjectDisposedException) { }
        }
        Enqueue(answer, false);
    }

    private void Enqueue(WireEnvelope envelope, bool isEvent)
    {
        if (_closeReason is not null)
            return; // the writer sends only the reason now
        byte[] frame;
        try
        {
            frame = FrameCodec.Encode(envelope, _options.MaxFrameBytes);
        }
        catch (WireProtocolException e)
        {
            frame = FrameCodec.Encode(ErrorEnvelope(envelope.Serial, envelope.Procedure, e));
        }
        if (!_outgoing.TryAdd(new OutgoingFrames.Frame(frame, isEvent), out var overflow))
        {
            _log.LogWarning("Disconnecting client pid {Pid} uid {Uid}: it stopped reading ({Overflow})", _identity.Pid, _identity.Uid, overflow);
            Close(new VirtException(ErrorCode.Rpc, $"client stopped reading: {overflow}; disconnected"));
        }
    }

    public bool TryPush(string procedure, JsonElement? body)
    {
        if (_closeReason is not null)
            return false;
        Enqueue(new WireEnvelope { Type = MessageType.Event, Procedure = procedure, Body = body }, true);
        return _closeReason is null;
    }

    public void Close(VirtException reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
            return;
        _log.LogInformation("Closing client pid {Pid}: {Reason}", _identity.Pid, reason.Message);
        // Wake the writer, which sends the reason ahead of anything still queued; a client that
        // does not read gets one second before the connection is cut.
        _outgoing.TryAdd(new OutgoingFrames.Frame([], false), out _);
        _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ =>
        {
            try { _closing.Cancel(); }
            catch (ObjectDisposedException) { }
        }, TaskScheduler.Default);
    }

    /// <summary>Frames in order; after a heartbeat interval with nothing to send, a heartbeat, so the client can tell busy from hung.</summary>
    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var heartbeat = FrameCodec.Encode(new WireEnvelope { Type = MessageType.Event, Procedure = Keepalive.HeartbeatProcedure });
        while (true)
        {
            var ready = _outgoing.Reader.WaitToReadAsync(ct).AsTask();
            while (!ready.IsCompleted)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (await Task.WhenAny(ready, Task.Delay(_options.HeartbeatInterval, quiet.Token)).ConfigureAwait(false) == ready)
                {
                    quiet.Cancel();
                    break;
                }
                await _stream.WriteAsync(heartbeat, ct).ConfigureAwait(false);
            }
            if (!await ready.ConfigureAwait(false))
                return;
            if (_closeReason is { } reason)
            {
                await _stream.WriteAsync(FrameCodec.Encode(ErrorEnvelope(0, "connection", reason)), ct).ConfigureAwait(false);
                _closing.Cancel();
                return;
            }
            if (!_outgoing.Reader.TryRead(out var frame))
                continue;
            await _stream.WriteAsync(frame.Bytes, ct).ConfigureAwait(false);
            _outgoing.Sent(frame);
        }
    }

    // Closing with unread input resets the connection, which can destroy the error frame before
    // the client reads it: half-close and discard input briefly first.
    private async Task DrainInputAsync()
    {
        try
        {
            _stream.Socket.Shutdown(SocketShutdown.Send);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var sink = new byte[4096];
            while (await _stream.ReadAsync(sink, limit.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Refuses new calls and waits (bounded) for the ones in flight to be answered.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        Volatile.Write(ref _draining, 1);
        var deadline = DateTime.UtcNow + limit;
        while (Volatile.Read(ref _callsInFlight) > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10).ConfigureAwait(false);
        _outgoing.Complete();
    }

    /// <summary>An error for the client; what it sent is echoed only in bounded form.</summary>
    internal static WireEnvelope ErrorEnvelope(long serial, string procedure, VirtException error) => new()
    {
        Type = MessageType.Error,
        Serial = serial,
        Procedure = Bounded(procedure, MaxEchoedProcedure),
        Body = FrameCodec.ToBody(new WireError(error.Code.WireName(), Bounded(error.Message, MaxErrorMessage))),
    };

    private static string Bounded(string text, int max) => text.Length <= max ? text : text[..max] + "…";
}
