using System.Runtime.InteropServices;

namespace Virt.Supervisor.Native;

/// <summary>epoll and inotify: one thread waits on every pidfd, and a start waits for its monitor socket to appear.</summary>
internal static class LinuxEvents
{
    private const string Lib = "libc";

    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1;
    public const int EPOLL_CTL_DEL = 2;
    public const int EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x1;
    public const uint EPOLLONESHOT = 1u << 30;

    public const int IN_NONBLOCK = 0x800;
    public const int IN_CLOEXEC = 0x80000;
    public const uint IN_CREATE = 0x100;
    public const uint IN_MOVED_TO = 0x80;

    public const int EEXIST = 17;
    public const int ENOENT = 2;

    /// <summary>struct epoll_event is packed on x86_64 (12 bytes), naturally aligned elsewhere (16 bytes).</summary>
    public static readonly int EpollEventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;
    public static readonly int EpollDataOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    [DllImport(Lib, EntryPoint = "epoll_create1", SetLastError = true)]
    public static extern int EpollCreate1(int flags);

    [DllImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static extern int EpollCtl(int epfd, int op, int fd, IntPtr epollEvent);

    [DllImport(Lib, EntryPoint = "epoll_wait", SetLastError = true)]
    public static extern int EpollWait(int epfd, IntPtr events, int maxEvents, int timeoutMs);

    [DllImport(Lib, EntryPoint = "inotify_init1", SetLastError = true)]
    public static extern int InotifyInit1(int flags);

    [DllImport(Lib, EntryPoint = "inotify_add_watch", SetLastError = true)]
    public static extern int InotifyAddWatch(int fd, string path, uint mask);

    [DllImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int fd, IntPtr buffer, nuint count);
}
