using System.Runtime.InteropServices;

namespace Virt.TestSupport;

/// <summary>Block device nodes for tests of what a path is (a CD-ROM drive's major is 11); making one needs root.</summary>
public static class DeviceNodes
{
    private const uint BlockDevice = 0x6000;

    /// <summary>mknod(2) of a block device, mode 0600; 0 on success.</summary>
    public static int MakeBlock(string path, uint major, uint minor) =>
        MkNod(path, BlockDevice | 0b110_000_000, ((ulong)(major & 0xfff) << 8) | (minor & 0xff));

    [DllImport("libc", EntryPoint = "mknod", SetLastError = true)]
    private static extern int MkNod(string path, uint mode, ulong dev);
}
