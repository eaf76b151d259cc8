using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Virt.Host.Sockets;

/// <summary>
/// What one client has yet to read, replies and events together, bounded in bytes. Above the pause mark the
/// connection stops reading calls (backpressure); past the limit the client is cut off, so a client that never reads
/// costs at most the limit and one frame.
/// </summary>
internal sealed class OutgoingFrames
{
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly long _pauseBytes;
    private readonly long _limitBytes;
    private readonly int _maxEvents;
    private readonly Lock _gate = new();
    private TaskCompletionSource _drained = Done();
    private long _bytes;
    private int _events;

    /// <summary>
    /// One encoded frame, whole; events count against their own bound as well. <paramref name="Fds"/> are sent right after
    /// the frame's bytes, as part of the same item, so no other frame comes between; the queue owns them until then.
    /// </summary>
    public readonly record struct Frame(byte[] Bytes, bool IsEvent, IReadOnlyList<SafeHandle>? Fds = null)
    {
        public void CloseFds()
        {
            foreach (var fd in Fds ?? [])
                fd.Dispose();
        }
    }

    public OutgoingFrames(long limitBytes, int maxEvents)
    {
        _limitBytes = limitBytes;
        _pauseBytes = Math.Max(64 * 1024, limitBytes / 16);
        _maxEvents = maxEvents;
    }

    public long QueuedBytes => Interlocked.Read(ref _bytes);

    public ChannelReader<Frame> Reader => _frames.Reader;

    /// <summary>Queues a frame; false when that puts the client past a bound (the caller disconnects it).</summary>
    public bool TryAdd(Frame frame, out string? overflow)
    {
        lock (_gate)
        {
            _bytes += frame.Bytes.Length;
            if (frame.IsEvent)
                _events++;
            if (_bytes > _pauseBytes && _drained.Task.IsCompleted)
                _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            overflow = _bytes > _limitBytes ? $"{_bytes} bytes of replies and events unread (limit {_limitBytes})"
                : frame.IsEvent && _events > _maxEvents ? $"{_events} events unread (limit {_maxEvents})"
                : null;
        }
        if (!_frames.Writer.TryWrite(frame))
            frame.CloseFds(); // the connection is over: nobody will send them
        return overflow is null;
    }

    /// <summary>The writer sent <paramref name="frame"/>.</summary>
    public void Sent(Frame frame)
    {
        TaskCompletionSource? wake = null;
        lock (_gate)
        {
            _bytes -= frame.Bytes.Length;
            if (frame.IsEvent)
                _events--;
            if (_bytes <= _pauseBytes && !_drained.Task.IsCompleted)
                wake = _drained;
        }
        wake?.TrySetResult();
    }

    /// <summary>Completes at once, or when the client has read enough that calls may be read again.</summary>
    public Task WhenReadableAsync(CancellationToken ct)
    {
        Task drained;
        lock (_gate)
            drained = _drained.Task;
        return drained.IsCompleted ? Task.CompletedTask : drained.WaitAsync(ct);
    }

    public void Complete() => _frames.Writer.TryComplete();

    /// <summary>Once the writer has stopped: closes the descriptors of the frames it never sent.</summary>
    public void CloseUnsent()
    {
        while (_frames.Reader.TryRead(out var frame))
            frame.CloseFds();
    }

    private static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }
}
