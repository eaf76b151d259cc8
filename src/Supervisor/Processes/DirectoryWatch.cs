using System.Runtime.InteropServices;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Processes;

/// <summary>inotify on one directory: wakes a start the moment QEMU creates its monitor socket, instead of polling.</summary>
internal sealed class DirectoryWatch : IDisposable
{
    private const int BufferSize = 4096;

    private readonly Lock _lock = new();
    private readonly int _fd;
    private readonly IntPtr _buffer = Marshal.AllocHGlobal(BufferSize);
    private bool _closed;

    private DirectoryWatch(int fd) => _fd = fd;

    /// <summary>Watches for names created or moved into directory; null when inotify cannot be had (the caller polls).</summary>
    public static DirectoryWatch? TryCreate(string directory)
    {
        var fd = LinuxEvents.InotifyInit1(LinuxEvents.IN_NONBLOCK | LinuxEvents.IN_CLOEXEC);
        if (fd < 0)
            return null;
        if (LinuxEvents.InotifyAddWatch(fd, directory, LinuxEvents.IN_CREATE | LinuxEvents.IN_MOVED_TO) < 0)
        {
            LibC.Close(fd);
            return null;
        }
        return new DirectoryWatch(fd);
    }

    /// <summary>Completes once something was created in the directory since the last call (or since the watch began).</summary>
    public Task NextChangeAsync()
    {
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_closed)
                throw new ObjectDisposedException(nameof(DirectoryWatch));
            FdWatcher.Arm(_fd, () =>
            {
                Drain();
                changed.TrySetResult();
            });
        }
        return changed.Task;
    }

    private void Drain()
    {
        lock (_lock)
        {
            // Non-blocking: reads until the queue is empty (EAGAIN), so the next arm waits for new names only.
            while (!_closed && LinuxEvents.Read(_fd, _buffer, BufferSize) > 0)
            {
            }
        }
    }

    /// <summary>
    /// Stops the watch at once; the descriptor is closed off the caller's path, because closing an inotify instance
    /// waits for the kernel's SRCU grace period (8 ms and more here), which a start would otherwise wait for too.
    /// </summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_closed)
                return;
            _closed = true;
            FdWatcher.Disarm(_fd);
        }
        var fd = _fd;
        var buffer = _buffer;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            LibC.Close(fd);
            Marshal.FreeHGlobal(buffer);
        }, null);
    }
}
