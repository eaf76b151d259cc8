using System.Runtime.InteropServices;

namespace Virt.TestSupport;

/// <summary>Named pipes for tests of directories holding odd files: an open() of one with no writer blocks forever.</summary>
public static class Fifo
{
    /// <summary>mkfifo(3) with mode 0600; 0 on success.</summary>
    public static int Make(string path) => MkFifo(path, 0b110_000_000);

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MkFifo(string path, uint mode);
}
