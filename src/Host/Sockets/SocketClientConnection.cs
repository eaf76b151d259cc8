using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;

namespace Virt.Host.Sockets;

/// <summary>
/// One client: a reader loop that dispatches calls concurrently (bounded), a writer loop that
/// sends replies and events in the order they are ready. Events for a client that stops reading
/// are bounded; past the bound the client is disconnected with an error.
/// </summary>
internal sealed class SocketClientConnection : IEventSink
{
    private readonly NetworkStream _stream;
    private readonly ClientIdentity _identity;
    private readonly SocketServerOptions _options;
    private readonly IWireSessionFactory _sessions;
    private readonly ILogger _log;
    private readonly Channel<(byte[] Frame, bool IsEvent)> _outgoing = Channel.CreateUnbounded<(byte[], bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _closing = new();
    private int _callsInFlight;
    private int _queuedEvents;
    private int _draining;
    private VirtException? _closeReason;

    public SocketClientConnection(NetworkStream stream, ClientIdentity identity, SocketServerOptions options, IWireSessionFactory sessions, ILogger log)
    {
        _stream = stream;
        _identity = identity;
        _options = options;
        _sessions = sessions;
        _log = log;
    }

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
            while (await FrameCodec.ReadAsync(_stream, _options.MaxFrameBytes, linked.Token).ConfigureAwait(false) is { } envelope)
            {
                if (envelope.Type != MessageType.Call)
                {
                    Close(new VirtException(ErrorCode.Rpc, $"expected a call, got a {envelope.Type.ToString().ToLowerInvariant()}"));
                    break;
                }
                if (Volatile.Read(ref _draining) == 1)
                {
                    Enqueue(ErrorEnvelope(envelope.Serial, envelope.Procedure, new VirtException(ErrorCode.OperationInvalid, "the daemon is shutting down")), false);
                    continue;
                }
                if (Interlocked.Increment(ref _callsInFlight) > _options.MaxCallsInFlight)
                {
                    Interlocked.Decrement(ref _callsInFlight);
                    Enqueue(ErrorEnvelope(envelope.Serial, envelope.Procedure, new VirtException(ErrorCode.Rpc, $"too many calls in flight (limit {_options.MaxCallsInFlight})")), false);
                    continue;
                }
                _ = DispatchAsync(session, envelope, linked.Token);
            }
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
            _outgoing.Writer.TryComplete();
            try { await writer.ConfigureAwait(false); }
            catch (Exception) { }
            if (_closeReason is not null)
                await DrainInputAsync().ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            _closing.Dispose();
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
        }
        Enqueue(answer, false);
    }

    private void Enqueue(WireEnvelope envelope, bool isEvent)
    {
        byte[] frame;
        try
        {
            frame = FrameCodec.Encode(envelope, _options.MaxFrameBytes);
        }
        catch (WireProtocolException e)
        {
            frame = FrameCodec.Encode(ErrorEnvelope(envelope.Serial, envelope.Procedure, e));
        }
        _outgoing.Writer.TryWrite((frame, isEvent));
    }

    public bool TryPush(string procedure, JsonElement? body)
    {
        if (_closeReason is not null)
            return false;
        if (Interlocked.Increment(ref _queuedEvents) > _options.MaxQueuedEvents)
        {
            Close(new VirtException(ErrorCode.Rpc, $"client stopped reading events ({_options.MaxQueuedEvents} queued); disconnected"));
            return false;
        }
        Enqueue(new WireEnvelope { Type = MessageType.Event, Procedure = procedure, Body = body }, true);
        return true;
    }

    public void Close(VirtException reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
            return;
        _log.LogInformation("Closing client pid {Pid}: {Reason}", _identity.Pid, reason.Message);
        // Wake the writer, which sends the reason ahead of anything still queued; a client that
        // does not read gets one second before the connection is cut.
        _outgoing.Writer.TryWrite((Array.Empty<byte>(), false));
        _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ =>
        {
            try { _closing.Cancel(); }
            catch (ObjectDisposedException) { }
        }, TaskScheduler.Default);
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        while (await _outgoing.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
        {
            if (_closeReason is { } reason)
            {
                await _stream.WriteAsync(FrameCodec.Encode(ErrorEnvelope(0, "connection", reason)), ct).ConfigureAwait(false);
                _closing.Cancel();
                return;
            }
            if (!_outgoing.Reader.TryRead(out var item))
                continue;
            await _stream.WriteAsync(item.Frame, ct).ConfigureAwait(false);
            if (item.IsEvent)
                Interlocked.Decrement(ref _queuedEvents);
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
        _outgoing.Writer.TryComplete();
    }

    internal static WireEnvelope ErrorEnvelope(long serial, string procedure, VirtException error) => new()
    {
        Type = MessageType.Error,
        Serial = serial,
        Procedure = procedure,
        Body = FrameCodec.ToBody(new WireError(error.Code.WireName(), error.Message)),
    };
}
