using System.Runtime.InteropServices;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Processes;

/// <summary>
/// One thread and one epoll set for every watched descriptor (pidfds, inotify): a start does not wait for a new
/// thread to come up, and a thousand running VMs do not hold a thousand waiting threads.
/// </summary>
internal static class FdWatcher
{
    private const int BatchSize = 64;

    private static readonly Lock s_lock = new();
    // fd -> the generation it was armed with and its callback; the generation travels in the epoll data, so an
    // event for an fd that was disarmed, closed and reused meanwhile is told apart from one for its new owner.
    private static readonly Dictionary<int, (uint Generation, Action OnReady)> s_armed = [];
    private static readonly HashSet<int> s_registered = [];
    private static readonly IntPtr s_ctlEvent = Marshal.AllocHGlobal(16);
    private static uint s_generation;
    private static int s_epoll = -1;

    /// <summary>Calls onReady once, on the watcher thread, when fd is readable; it must not block. Arm again for another call.</summary>
    public static void Arm(int fd, Action onReady)
    {
        lock (s_lock)
        {
            Start();
            var generation = ++s_generation;
            Marshal.WriteInt32(s_ctlEvent, 0, unchecked((int)(LinuxEvents.EPOLLIN | LinuxEvents.EPOLLONESHOT)));
            Marshal.WriteInt64(s_ctlEvent, LinuxEvents.EpollDataOffset, ((long)generation << 32) | (uint)fd);
            var op = s_registered.Contains(fd) ? LinuxEvents.EPOLL_CTL_MOD : LinuxEvents.EPOLL_CTL_ADD;
            if (LinuxEvents.EpollCtl(s_epoll, op, fd, s_ctlEvent) != 0)
            {
                // The fd was closed and reused without Disarm (MOD: ENOENT), or our books missed an ADD (EEXIST).
                op = op == LinuxEvents.EPOLL_CTL_MOD ? LinuxEvents.EPOLL_CTL_ADD : LinuxEvents.EPOLL_CTL_MOD;
                if (LinuxEvents.EpollCtl(s_epoll, op, fd, s_ctlEvent) != 0)
                    throw new IOException($"epoll_ctl on fd {fd} failed: {LibC.StrError(Marshal.GetLastPInvokeError())}");
            }
            s_registered.Add(fd);
            s_armed[fd] = (generation, onReady);
        }
    }

    /// <summary>Forgets fd; call before closing it. A callback already under way may still run once.</summary>
    public static void Disarm(int fd)
    {
        lock (s_lock)
        {
            s_armed.Remove(fd);
            if (s_registered.Remove(fd))
                LinuxEvents.EpollCtl(s_epoll, LinuxEvents.EPOLL_CTL_DEL, fd, s_ctlEvent);
        }
    }

    private static void Start()
    {
        if (s_epoll >= 0)
            return;
        var epoll = LinuxEvents.EpollCreate1(LinuxEvents.EPOLL_CLOEXEC);
        if (epoll < 0)
            throw new IOException($"epoll_create1 failed: {LibC.StrError(Marshal.GetLastPInvokeError())}");
        s_epoll = epoll;
        new Thread(() => Loop(epoll)) { IsBackground = true, Name = "fd-watcher" }.Start();
    }

    private static void Loop(int epoll)
    {
        var size = LinuxEvents.EpollEventSize;
        var events = Marshal.AllocHGlobal(size * BatchSize);
        while (true)
        {
            var count = LinuxEvents.EpollWait(epoll, events, BatchSize, -1);
            if (count < 0)
            {
                if (Marshal.GetLastPInvokeError() != LibC.EINTR)
                    Thread.Sleep(10); // cannot happen with a valid epoll fd; never spin
                continue;
            }
            for (var i = 0; i < count; i++)
            {
                var data = Marshal.ReadInt64(events, i * size + LinuxEvents.EpollDataOffset);
                var fd = unchecked((int)(data & 0xFFFF_FFFF));
                var generation = unchecked((uint)(data >>> 32));
                Action? onReady = null;
                lock (s_lock)
                {
                    if (s_armed.TryGetValue(fd, out var armed) && armed.Generation == generation)
                    {
                        s_armed.Remove(fd);
                        onReady = armed.OnReady;
                    }
                }
                try
                {
                    onReady?.Invoke();
                }
                catch (Exception)
                {
                    // A callback completes a task; it has nowhere to report to, and the loop must go on for the others.
                }
            }
        }
    }
}
