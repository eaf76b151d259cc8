using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Virt.Actors.Config;

/// <summary>The few libc calls .NET lacks: a file's owner (statx), our euid, and fsync of a directory.</summary>
internal static class NativeFiles
{
    private const int AtFdCwd = -100;
    private const uint StatxBasicStats = 0x7ff;
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000;
    private const int OCloexec = 0x80000;

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    private static extern int StatX(int dirfd, string path, int flags, uint mask, byte[] buffer);

    [DllImport("libc", EntryPoint = "geteuid")]
    public static extern uint GetEuid();

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    private static extern int Open(string path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    private static extern int FSync(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "close")]
    private static extern int Close(int fd);

    private const int ONonBlock = 0x800;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxType = 0x1;
    public const string RegularFile = "regular file";

    [DllImport("libc", SetLastError = true, EntryPoint = "statx")]
    private static extern int StatXFd(int dirfd, string path, int flags, uint mask, byte[] buffer);

    /// <summary>
    /// Opens a file for reading without blocking: open() of a FIFO with no writer would wait forever. Symlinks are
    /// followed, as libvirt follows them; what they lead to is checked with <see cref="FileType"/>.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenForScan(string path)
    {
        var fd = Open(path, ORdOnly | ONonBlock | OCloexec);
        if (fd < 0)
            throw new IOException(Marshal.GetLastPInvokeErrorMessage());
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>What an open file is ("regular file", "fifo", "character device", ...), from its own descriptor.</summary>
    public static string FileType(Microsoft.Win32.SafeHandles.SafeFileHandle handle, string path)
    {
        var buffer = new byte[256];
        if (StatXFd((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxType, buffer) != 0)
            throw new IOException($"cannot stat {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        return (mode & 0xF000) switch
        {
            0x8000 => RegularFile,
            0x4000 => "directory",
            0x1000 => "fifo",
            0x2000 => "character device",
            0x6000 => "block device",
            0xC000 => "socket",
            _ => "unknown file type",
        };
    }

    /// <summary>Owner uid and mode bits of a path (symlinks followed); statx's layout is the same on every arch.</summary>
    public static (uint Uid, uint Gid, uint Mode) Stat(string path)
    {
        var buffer = new byte[256];
        if (StatX(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
            throw new IOException($"cannot stat {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20));
        var gid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24));
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        return (uid, gid, mode);
    }

    /// <summary>Makes a rename inside <paramref name="directory"/> durable.</summary>
    public static void FsyncDirectory(string directory)
    {
        var fd = Open(directory, ORdOnly | ODirectory | OCloexec);
        if (fd < 0)
            throw new IOException($"cannot open {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (FSync(fd) != 0)
                throw new IOException($"cannot fsync {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            Close(fd);
        }
    }
}
