using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Virt.Protocol.Errors;
using Virt.Protocol.Wire;

namespace Virt.Host.Sockets;

/// <summary>What the server needs of a client connection, whatever its protocol.</summary>
internal interface IClientConnection
{
    ClientIdentity Identity { get; }

    Task RunAsync(CancellationToken serverStopping);

    Task DrainAsync(TimeSpan limit);
}

/// <summary>
/// One client on a socket, whichever protocol it speaks: a reader loop that hands each frame to the protocol, calls
/// dispatched concurrently, and a writer loop that sends replies and events in the order they are ready. What a client
/// can make the daemon hold is bounded: at most max-calls-in-flight calls run at once and the reader waits for a free
/// slot rather than fail a call; when the client leaves its replies unread the reader stops reading; past
/// max-queued-bytes (or max-queued-events) the client is cut off with the reason.
/// </summary>
internal abstract class FramedConnection<TFrame> : IClientConnection where TFrame : class
{
    private readonly OutgoingFrames _outgoing;
    private readonly SemaphoreSlim _callSlots;
    private readonly CancellationTokenSource _closing = new();
    private int _callsInFlight;
    private int _draining;
    private VirtException? _closeReason;

    protected FramedConnection(NetworkStream stream, ClientIdentity identity, SocketServerOptions options, ILogger log)
    {
        Stream = stream;
        Identity = identity;
        Options = options;
        Log = log;
        _outgoing = new OutgoingFrames(options.MaxQueuedBytes, options.MaxQueuedEvents);
        _callSlots = new SemaphoreSlim(options.MaxCallsInFlight, options.MaxCallsInFlight);
    }

    public ClientIdentity Identity { get; }
    protected NetworkStream Stream { get; }
    protected SocketServerOptions Options { get; }
    protected ILogger Log { get; }
    protected bool Draining => Volatile.Read(ref _draining) == 1;
    protected bool Closed => _closeReason is not null;

    /// <summary>Opens the protocol's session; false when it refused (and already told the client why).</summary>
    protected abstract Task<bool> OpenAsync(CancellationToken ct);

    protected abstract ValueTask CloseSessionAsync();

    /// <summary>The next frame; null at a clean end of stream.</summary>
    protected abstract Task<TFrame?> ReadFrameAsync(CancellationToken ct);

    /// <summary>Answers a frame: a task for a call dispatched (it holds a call slot until done), or null when handled at once.</summary>
    protected abstract Task? Handle(TFrame frame, CancellationToken ct);

    /// <summary>The frame that tells the client why it is being disconnected.</summary>
    protected abstract byte[] CloseFrame(VirtException reason);

    /// <summary>A frame the writer sends after a heartbeat interval with nothing else to send; null for none.</summary>
    protected virtual byte[]? Heartbeat => null;

    public async Task RunAsync(CancellationToken serverStopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(serverStopping, _closing.Token);
        if (!await OpenAsync(linked.Token).ConfigureAwait(false))
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        try
        {
            var writer = Task.Run(() => WriteLoopAsync(linked.Token));
            try
            {
                await ReadLoopAsync(linked.Token).ConfigureAwait(false);
            }
            catch (WireProtocolException e)
            {
                Log.LogWarning("Client pid {Pid} uid {Uid} sent a bad frame: {Error}", Identity.Pid, Identity.Uid, e.Message);
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
                _outgoing.CloseUnsent();
                if (_closeReason is not null)
                    await DrainInputAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await CloseSessionAsync().ConfigureAwait(false);
            await Stream.DisposeAsync().ConfigureAwait(false);
            _closing.Dispose();
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var firstCall = true;
        while (!Closed)
        {
            // Backpressure: no new frame is read while every slot is busy or the client leaves its replies unread.
            await _callSlots.WaitAsync(ct).ConfigureAwait(false);
            var slotHeld = true;
            try
            {
                await _outgoing.WhenReadableAsync(ct).ConfigureAwait(false);
                var frame = firstCall ? await ReadFirstAsync(ct).ConfigureAwait(false) : await ReadFrameAsync(ct).ConfigureAwait(false);
                if (frame is null)
                    return;
                firstCall = false;
                if (Handle(frame, ct) is { } call)
                {
                    Interlocked.Increment(ref _callsInFlight);
                    slotHeld = false;
                    _ = call.ContinueWith(_ =>
                    {
                        Interlocked.Decrement(ref _callsInFlight);
                        try { _callSlots.Release(); }
                        catch (ObjectDisposedException) { }
                    }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
            finally
            {
                if (slotHeld)
                    _callSlots.Release();
            }
        }
    }

    /// <summary>A client that sends no whole call soon after connecting is closed: idle connections must not hold slots.</summary>
    private async Task<TFrame?> ReadFirstAsync(CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Options.FirstCallTimeout);
        try
        {
            return await ReadFrameAsync(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Log.LogWarning("Closing client pid {Pid} uid {Uid}: no call within {Timeout} s of connecting", Identity.Pid, Identity.Uid,
                Options.FirstCallTimeout.TotalSeconds);
            Close(new VirtException(ErrorCode.Rpc, $"no call within {Options.FirstCallTimeout.TotalSeconds:0.###} s of connecting; connection closed"));
            return null;
        }
    }

    /// <summary>
    /// Queues a whole frame, and the descriptors to pass after it (which the queue then owns, and closes once sent or
    /// dropped); a client past its bounds is disconnected.
    /// </summary>
    protected void Enqueue(byte[] frame, bool isEvent, IReadOnlyList<SafeHandle>? fds = null)
    {
        var item = new OutgoingFrames.Frame(frame, isEvent, fds);
        if (_closeReason is not null)
        {
            item.CloseFds();
            return; // the writer sends only the reason now
        }
        if (!_outgoing.TryAdd(item, out var overflow))
        {
            Log.LogWarning("Disconnecting client pid {Pid} uid {Uid}: it stopped reading ({Overflow})", Identity.Pid, Identity.Uid, overflow);
            Close(new VirtException(ErrorCode.Rpc, $"client stopped reading: {overflow}; disconnected"));
        }
    }

    public void Close(VirtException reason)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null)
            return;
        Log.LogInformation("Closing client pid {Pid}: {Reason}", Identity.Pid, reason.Message);
        // Wake the writer, which sends the reason ahead of anything still queued; a client that
        // does not read gets one second before the connection is cut.
        _outgoing.TryAdd(new OutgoingFrames.Frame([], false), out _);
        _ = Task.Delay(TimeSpan.FromSeconds(1)).ContinueWith(_ =>
        {
            try { _closing.Cancel(); }
            catch (ObjectDisposedException) { }
        }, TaskScheduler.Default);
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var heartbeat = Heartbeat;
        while (true)
        {
            var ready = _outgoing.Reader.WaitToReadAsync(ct).AsTask();
            while (!ready.IsCompleted && heartbeat is not null)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                if (await Task.WhenAny(ready, Task.Delay(Options.HeartbeatInterval, quiet.Token)).ConfigureAwait(false) == ready)
                {
                    quiet.Cancel();
                    break;
                }
                await Stream.WriteAsync(heartbeat, ct).ConfigureAwait(false);
            }
            if (!await ready.ConfigureAwait(false))
                return;
            if (_closeReason is { } reason)
            {
                await Stream.WriteAsync(CloseFrame(reason), ct).ConfigureAwait(false);
                _closing.Cancel();
                return;
            }
            if (!_outgoing.Reader.TryRead(out var frame))
                continue;
            try
            {
                await Stream.WriteAsync(frame.Bytes, ct).ConfigureAwait(false);
                await FdSender.SendAsync(Stream.Socket, frame.Fds, ct).ConfigureAwait(false);
            }
            finally
            {
                frame.CloseFds();
            }
            _outgoing.Sent(frame);
        }
    }

    // Closing with unread input resets the connection, which can destroy the error frame before
    // the client reads it: half-close and discard input briefly first.
    private async Task DrainInputAsync()
    {
        try
        {
            Stream.Socket.Shutdown(SocketShutdown.Send);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            var sink = new byte[4096];
            while (await Stream.ReadAsync(sink, limit.Token).ConfigureAwait(false) > 0)
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
}
