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
