using Virt.Supervisor.Native;

namespace Virt.Supervisor.Consoles;

/// <summary>
/// A terminal in raw mode (cfmakeraw: no echo, no line editing, no signals from ^C, 8-bit bytes) until disposed, when
/// its settings are put back: a console's pty on the daemon's side, or the user's terminal under `virt console`.
/// </summary>
public sealed class RawTerminal : IDisposable
{
    private readonly int _fd;
    private readonly byte[] _saved;
    private int _restored;

    private RawTerminal(int fd, byte[] saved)
    {
        _fd = fd;
        _saved = saved;
    }

    public static bool IsTerminal(int fd) => LibC.IsATty(fd) == 1;

    /// <summary>Makes <paramref name="fd"/> raw; null when it is not a terminal (a pipe, a file).</summary>
    public static RawTerminal? Enter(int fd)
    {
        var saved = new byte[LibC.TermiosSize];
        if (LibC.TcGetAttr(fd, saved) != 0)
            return null;
        var raw = (byte[])saved.Clone();
        LibC.CfMakeRaw(raw);
        if (LibC.TcSetAttr(fd, LibC.TCSANOW, raw) != 0)
            throw new IOException($"cannot make the terminal raw: {LibC.StrError(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        return new RawTerminal(fd, saved);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _restored, 1) == 0)
            _ = LibC.TcSetAttr(_fd, LibC.TCSANOW, _saved);
    }
}
