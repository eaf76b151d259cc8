using System.Runtime.InteropServices;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Consoles;

/// <summary>
/// The daemon's end of a guest's serial pty: opened O_RDWR|O_NOCTTY, raw, non-blocking. One thread pumps both ways
/// with poll(2): what the guest writes goes to the output callback, what the client types is queued (bounded) and
/// written as the pty takes it. An eventfd wakes the thread for new input and for the close.
/// </summary>
public sealed class PtyConsole : IDisposable
{
    /// <summary>Typed input not yet taken by the pty; past it the client is typing faster than the guest reads.</summary>
    public const int MaxPendingInput = 1024 * 1024;

    private readonly int _pty;
    private readonly int _wake;
    private readonly string _path;
    private readonly Lock _gate = new();
    private readonly Queue<byte[]> _input = new();
    private int _inputOffset;
    private int _pendingBytes;
    private bool _closing;
    private Thread? _pump;

    private PtyConsole(int pty, int wake, string path)
    {
        _pty = pty;
        _wake = wake;
        _path = path;
    }

    /// <summary>Opens the pty QEMU made; the error names the path and the reason.</summary>
    public static PtyConsole Open(string path)
    {
        var pty = LibC.Open(path, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (pty < 0)
            throw new VirtException(ErrorCode.OperationFailed, $"cannot open console pty '{path}': {LastError()}");
        try
        {
            if (!RawTerminal.IsTerminal(pty))
                throw new VirtException(ErrorCode.OperationFailed, $"console '{path}' is not a terminal");
            // Raw: the line discipline must neither echo the client's bytes back nor turn ^C into a signal.
            _ = RawTerminal.Enter(pty);
            var wake = LibC.EventFd(0, LibC.O_CLOEXEC | LibC.O_NONBLOCK);
            if (wake < 0)
                throw new VirtException(ErrorCode.OperationFailed, $"cannot create an eventfd for console '{path}': {LastError()}");
            return new PtyConsole(pty, wake, path);
        }
        catch
        {
            _ = LibC.Close(pty);
            throw;
        }
    }

    /// <summary>
    /// Starts the pump. <paramref name="output"/> gets the guest's bytes (the span is only valid during the call);
    /// <paramref name="ended"/> is called once, with null when the pty closed (QEMU went) or the error; not after a
    /// <see cref="Dispose"/>, which is the owner's own end.
    /// </summary>
    public void Start(Action<ReadOnlySpan<byte>> output, Action<Exception?> ended)
    {
        if (_pump is not null)
            throw new InvalidOperationException("the console pump is already running");
        _pump = new Thread(() => Pump(output, ended)) { IsBackground = true, Name = $"console {_path}" };
        _pump.Start();
    }

    /// <summary>Queues typed bytes; false when more than <see cref="MaxPendingInput"/> bytes wait already.</summary>
    public bool Write(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
            return true;
        lock (_gate)
        {
            if (_closing)
                return false;
            if (_pendingBytes + data.Length > MaxPendingInput)
                return false;
            _input.Enqueue(data.ToArray());
            _pendingBytes += data.Length;
        }
        Wake();
        return true;
    }

    private void Pump(Action<ReadOnlySpan<byte>> output, Action<Exception?> ended)
    {
        Exception? failure = null;
        var buffer = new byte[4096];
        var counter = new byte[sizeof(ulong)];
        var fds = new LibC.PollFd[2];
        try
        {
            while (true)
            {
                bool writing;
                lock (_gate)
                {
                    if (_closing)
                        return;
                    writing = _pendingBytes > 0;
                }
                fds[0] = new LibC.PollFd { Fd = _pty, Events = (short)(LibC.POLLIN | (writing ? LibC.POLLOUT : 0)) };
                fds[1] = new LibC.PollFd { Fd = _wake, Events = LibC.POLLIN };
                if (LibC.Poll(fds, 2, -1) < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                        continue;
                    failure = new IOException($"poll on console '{_path}': {LastError()}");
                    break;
                }
                if ((fds[1].Revents & LibC.POLLIN) != 0)
                    _ = LibC.Read(_wake, ref counter[0], (nuint)counter.Length);
                var revents = fds[0].Revents;
                if ((revents & LibC.POLLIN) != 0)
                {
                    var n = LibC.Read(_pty, ref buffer[0], (nuint)buffer.Length);
                    if (n > 0)
                        output(buffer.AsSpan(0, (int)n));
                    else if (n == 0 || !Retry(out failure))
                        break; // EOF, or EIO once QEMU closed its side
                }
                else if ((revents & (LibC.POLLHUP | LibC.POLLERR)) != 0)
                {
                    break;
                }
                if ((revents & LibC.POLLOUT) != 0 && !WritePending(out failure))
                    break;
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        lock (_gate)
        {
            if (_closing)
                return;
        }
        ended(failure);
    }

    /// <summary>Writes what the pty takes now; false on an error other than a full pty.</summary>
    private bool WritePending(out Exception? failure)
    {
        failure = null;
        while (true)
        {
            byte[] chunk;
            int offset;
            lock (_gate)
            {
                if (!_input.TryPeek(out chunk!))
                    return true;
                offset = _inputOffset;
            }
            var n = LibC.Write(_pty, ref chunk[offset], (nuint)(chunk.Length - offset));
            if (n < 0)
                return Retry(out failure);
            lock (_gate)
            {
                _pendingBytes -= (int)n;
                _inputOffset += (int)n;
                if (_inputOffset == chunk.Length)
                {
                    _input.Dequeue();
                    _inputOffset = 0;
                }
            }
        }
    }

    /// <summary>After a failed read or write: true for "try again later"; EIO (the other side gone) ends quietly.</summary>
    private bool Retry(out Exception? failure)
    {
        var errno = Marshal.GetLastPInvokeError();
        failure = errno is LibC.EAGAIN or LibC.EINTR or LibC.EIO ? null : new IOException($"console '{_path}': {LibC.StrError(errno)}");
        return errno is LibC.EAGAIN or LibC.EINTR;
    }

    private void Wake()
    {
        ulong one = 1;
        _ = LibC.Write(_wake, ref one, sizeof(ulong));
    }

    private static string LastError() => LibC.StrError(Marshal.GetLastPInvokeError());

    /// <summary>Stops the pump (without calling its end callback) and closes the pty.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_closing)
                return;
            _closing = true;
            _input.Clear();
            _pendingBytes = 0;
        }
        Wake();
        if (_pump is { } pump && pump != Thread.CurrentThread)
            pump.Join(TimeSpan.FromSeconds(5));
        _ = LibC.Close(_pty);
        _ = LibC.Close(_wake);
    }
}
