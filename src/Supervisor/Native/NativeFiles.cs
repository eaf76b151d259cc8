using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Virt.Supervisor.Native;

/// <summary>The file calls .NET lacks: owner and type (statx), a read that never blocks, a write that follows no link, fsync of a directory.</summary>
public static class NativeFiles
{
    public const string RegularFile = "regular file";

    /// <summary>The effective uid of this process, for the callers outside this assembly (LibC is internal).</summary>
    public static uint GetEuid() => LibC.GetEuid();

    public static uint GetUid() => LibC.GetUid();

    /// <summary>Sets the file-creation mask; returns the previous one.</summary>
    public static uint Umask(uint mask) => LibC.Umask(mask);

    /// <summary>Marks an inherited descriptor close-on-exec, so the programs this process starts do not inherit it too.</summary>
    public static void SetCloseOnExec(int fd)
    {
        const int F_SETFD = 2, FD_CLOEXEC = 1;
        if (NetIoctl.Fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
            throw new IOException($"cannot mark descriptor {fd} close-on-exec: {LibC.StrError(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
    }

    /// <summary>Owner uid and mode bits of a path (symlinks followed); statx's layout is the same on every arch.</summary>
    public static (uint Uid, uint Gid, uint Mode) Stat(string path)
    {
        var buffer = new byte[256];
        if (LibC.StatX(LibC.AT_FDCWD, path, 0, LibC.STATX_BASIC_STATS, buffer) != 0)
            throw new IOException($"cannot stat {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        var uid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20));
        var gid = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24));
        var mode = BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28));
        return (uid, gid, mode);
    }

    /// <summary>
    /// The type and mode bits of a path itself (a symlink is not followed) and what tells this file from a later one at
    /// the same path: its inode with its change time, since a new file may get a freed inode number. Null when nothing is there.
    /// </summary>
    public static (uint Mode, (ulong Inode, long ChangeSeconds, uint ChangeNanoseconds) Identity)? LinkStat(string path)
    {
        var buffer = new byte[256];
        if (LibC.StatX(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, buffer) != 0)
        {
            if (Marshal.GetLastPInvokeError() == LibC.ENOENT)
                return null;
            throw new IOException($"cannot stat {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        return (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)),
            (BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(32)), BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(96)),
                BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(104))));
    }

    /// <summary>Whether stat mode bits are a regular file's (S_ISREG).</summary>
    public static bool IsRegularFile(uint mode) => (mode & 0xF000) == 0x8000;

    public const uint SocketType = 0xC000;
    public const uint BlockDeviceType = 0x6000;

    /// <summary>The type and mode bits of a path (symlinks followed) and the device number it names; null when it cannot be statted.</summary>
    public static (uint Mode, uint Major, uint Minor)? StatDevice(string path)
    {
        var buffer = new byte[256];
        if (LibC.StatX(LibC.AT_FDCWD, path, 0, LibC.STATX_BASIC_STATS, buffer) != 0)
            return null;
        return (BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)), BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(128)),
            BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(132)));
    }

    /// <summary>Owner, mode, size and allocated bytes (512-byte blocks) of a path, symlinks followed.</summary>
    public static (uint Uid, uint Gid, uint Mode, ulong Size, ulong AllocatedBytes) StatFile(string path)
    {
        var buffer = new byte[256];
        if (LibC.StatX(LibC.AT_FDCWD, path, 0, LibC.STATX_BASIC_STATS, buffer) != 0)
            throw new IOException($"cannot stat {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        return (BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20)), BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(24)),
            BinaryPrimitives.ReadUInt16LittleEndian(buffer.AsSpan(28)), BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(40)),
            BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(48)) * 512);
    }

    /// <summary>
    /// Opens a file for reading without blocking: open() of a FIFO with no writer would wait forever. Symlinks are
    /// followed, as libvirt follows them; what they lead to is checked with <see cref="FileType"/>.
    /// </summary>
    public static SafeFileHandle OpenForScan(string path)
    {
        var fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0)
            throw new IOException(Marshal.GetLastPInvokeErrorMessage());
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// Opens a log for appending, created 0600, and never through a symbolic link: a link planted in the log directory
    /// must not make the daemon (root) append to a file of the link's choosing.
    /// </summary>
    public static FileStream OpenLogForAppend(string path)
    {
        var fd = LibC.Open(path, LibC.O_WRONLY | LibC.O_APPEND | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0b110_000_000);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException(errno == LibC.ELOOP ? "it is a symbolic link, which logs never follow" : Marshal.GetLastPInvokeErrorMessage());
        }
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write);
    }

    /// <summary>What an open file is ("regular file", "fifo", "character device", ...), from its own descriptor.</summary>
    public static string FileType(SafeFileHandle handle, string path)
    {
        var buffer = new byte[256];
        if (LibC.StatX((int)handle.DangerousGetHandle(), "", LibC.AT_EMPTY_PATH, LibC.STATX_TYPE, buffer) != 0)
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

    /// <summary>Makes a rename inside <paramref name="directory"/> durable.</summary>
    public static void FsyncDirectory(string directory)
    {
        var fd = LibC.Open(directory, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC);
        if (fd < 0)
            throw new IOException($"cannot open {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
        try
        {
            if (LibC.Fsync(fd) != 0)
                throw new IOException($"cannot fsync {directory}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        finally
        {
            LibC.Close(fd);
        }
    }
}
