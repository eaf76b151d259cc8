using System.Runtime.InteropServices;

namespace Virt.Supervisor.Native;

/// <summary>The few glibc calls process control needs (Linux x86_64/arm64 layouts).</summary>
internal static class LibC
{
    private const string Lib = "libc";

    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGCONT = 18;

    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_APPEND = 0x400;

    public const int P_PIDFD = 3;
    public const int WEXITED = 4;

    public const int CLD_EXITED = 1;
    public const int CLD_KILLED = 2;
    public const int CLD_DUMPED = 3;

    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINTR = 4;

    // glibc's opaque posix_spawn types are 80 and 336 bytes; sigset_t is 128. Allocate with room to spare.
    public const int SpawnFileActionsSize = 256;
    public const int SpawnAttrSize = 512;
    public const int SigSetSize = 128;
    public const int SigInfoSize = 128;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    private const long SYS_pidfd_send_signal = 424;
    private const long SYS_pidfd_open = 434;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [DllImport(Lib, EntryPoint = "posix_spawnp")]
    public static extern int PosixSpawnp(out int pid, string file, IntPtr fileActions, IntPtr attr, IntPtr[] argv, IntPtr[] envp);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_init")]
    public static extern int FileActionsInit(IntPtr fileActions);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_destroy")]
    public static extern int FileActionsDestroy(IntPtr fileActions);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_addopen")]
    public static extern int FileActionsAddOpen(IntPtr fileActions, int fd, IntPtr path, int oflag, uint mode);

    [DllImport(Lib, EntryPoint = "posix_spawn_file_actions_adddup2")]
    public static extern int FileActionsAddDup2(IntPtr fileActions, int fd, int newFd);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_init")]
    public static extern int SpawnAttrInit(IntPtr attr);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_destroy")]
    public static extern int SpawnAttrDestroy(IntPtr attr);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_setflags")]
    public static extern int SpawnAttrSetFlags(IntPtr attr, short flags);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_setsigmask")]
    public static extern int SpawnAttrSetSigMask(IntPtr attr, IntPtr sigset);

    [DllImport(Lib, EntryPoint = "posix_spawnattr_setsigdefault")]
    public static extern int SpawnAttrSetSigDefault(IntPtr attr, IntPtr sigset);

    [DllImport(Lib, EntryPoint = "sigemptyset")]
    public static extern int SigEmptySet(IntPtr sigset);

    [DllImport(Lib, EntryPoint = "sigfillset")]
    public static extern int SigFillSet(IntPtr sigset);

    [DllImport(Lib, EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int sig);

    [DllImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static extern int Close(int fd);

    [DllImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static extern int Poll([In, Out] PollFd[] fds, ulong nfds, int timeoutMs);

    [DllImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static extern int EventFd(uint initval, int flags);

    [DllImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(int fd, ref ulong value, nuint count);

    [DllImport(Lib, EntryPoint = "waitid", SetLastError = true)]
    public static extern int WaitId(int idType, uint id, IntPtr info, int options);

    [DllImport(Lib, EntryPoint = "waitpid", SetLastError = true)]
    public static extern int WaitPid(int pid, out int status, int options);

    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int ELOOP = 40;

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_TYPE = 0x1;
    public const uint STATX_BASIC_STATS = 0x7ff;

    [DllImport(Lib, EntryPoint = "open", SetLastError = true)]
    public static extern int Open(string path, int flags);

    [DllImport(Lib, EntryPoint = "open", SetLastError = true)]
    public static extern int Open(string path, int flags, uint mode);

    [DllImport(Lib, EntryPoint = "statx", SetLastError = true)]
    public static extern int StatX(int dirfd, string path, int flags, uint mask, byte[] buffer);

    [DllImport(Lib, EntryPoint = "getuid")]
    public static extern uint GetUid();

    [DllImport(Lib, EntryPoint = "umask")]
    public static extern uint Umask(uint mask);

    [DllImport(Lib, EntryPoint = "geteuid")]
    public static extern uint GetEuid();

    [DllImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static extern int Fsync(int fd);

    [DllImport(Lib, EntryPoint = "strerror")]
    private static extern IntPtr StrErrorRaw(int errnum);

    // syscall(2) is variadic; with integer arguments only the x86_64 and arm64 Linux ABIs pass them as for a plain call.
    [DllImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall2(long number, long a1, long a2);

    [DllImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall4(long number, long a1, long a2, long a3, long a4);

    /// <summary>Opens a pidfd (close-on-exec is implied by the kernel), or -1 with errno set.</summary>
    public static int PidfdOpen(int pid) => (int)Syscall2(SYS_pidfd_open, pid, 0);

    public static int PidfdSendSignal(int pidfd, int sig) => (int)Syscall4(SYS_pidfd_send_signal, pidfd, sig, 0, 0);

    // Terminals: a termios is 60 bytes on Linux; callers pass a larger opaque buffer and never read its fields.
    public const int TermiosSize = 128;
    public const int TCSANOW = 0;
    public const int O_NOCTTY = 0x100;
    public const int EAGAIN = 11;
    public const int EIO = 5;
    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;

    [DllImport(Lib, EntryPoint = "isatty")]
    public static extern int IsATty(int fd);

    [DllImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    public static extern int TcGetAttr(int fd, byte[] termios);

    [DllImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    public static extern int TcSetAttr(int fd, int when, byte[] termios);

    [DllImport(Lib, EntryPoint = "cfmakeraw")]
    public static extern void CfMakeRaw(byte[] termios);

    /// <summary>read(2) into a pinned buffer: pass a reference to its first byte.</summary>
    [DllImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static extern nint Read(int fd, ref byte buffer, nuint count);

    [DllImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static extern nint Write(int fd, ref byte buffer, nuint count);

    // Descriptor passing over UNIX sockets (SCM_RIGHTS); struct layouts are those of x86_64 and arm64 Linux.
    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_DONTWAIT = 0x40;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int EWOULDBLOCK = EAGAIN;

    /// <summary>struct cmsghdr is a size_t length and two ints: 16 bytes before the data, which is aligned to 8.</summary>
    public const int CmsgHeaderSize = 16;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public IntPtr Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public IntPtr Name;
        public uint NameLength;
        public IntPtr Iov;
        public nuint IovLength;
        public IntPtr Control;
        public nuint ControlLength;
        public int Flags;
    }

    [DllImport(Lib, EntryPoint = "socketpair", SetLastError = true)]
    public static extern int SocketPair(int domain, int type, int protocol, [Out] int[] fds);

    [DllImport(Lib, EntryPoint = "sendmsg", SetLastError = true)]
    public static extern nint SendMsg(int fd, ref MsgHdr message, int flags);

    [DllImport(Lib, EntryPoint = "recvmsg", SetLastError = true)]
    public static extern nint RecvMsg(int fd, ref MsgHdr message, int flags);

    public static string StrError(int errnum) => Marshal.PtrToStringUTF8(StrErrorRaw(errnum)) ?? $"errno {errnum}";
}
