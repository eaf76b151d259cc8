using Virt.Supervisor.Native;
using Virt.Protocol.Connection;
using Virt.Protocol.Errors;
using Virt.Supervisor.Paths;

namespace Virt.Host.Daemon;

/// <summary>
/// Every directory the runtime creates or writes is its own: made owner-only where missing, and refused, naming it, its
/// owner and its mode, where another user owns it or may write to it. Whoever can write there could move the daemon's
/// socket, plant a link for a log the daemon (root) appends to, or a status file it trusts.
/// </summary>
public static class TreeDirectories
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Reachable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const uint WritableByOthers = 0b000_010_010;

    /// <summary>Creates what is missing and checks what exists, parents first.</summary>
    public static void Ensure(VirtPaths paths)
    {
        var me = NativeFiles.GetEuid();
        // The system socket directory (and its parents) must be reachable: virt-sock-ro is for every local user.
        var reachable = paths.Mode == RuntimeMode.System && paths.SocketDir is { } socketDir ? socketDir : null;
        foreach (var dir in paths.OwnedDirectories)
        {
            var open = reachable is not null && (reachable == dir || reachable.StartsWith(dir + "/", StringComparison.Ordinal));
            try
            {
                if (!Directory.Exists(dir) && !File.Exists(dir))
                {
                    // chmod after mkdir: the mode given to mkdir is cut by the umask (virtd's is 077).
                    Directory.CreateDirectory(dir, OwnerOnly);
                    File.SetUnixFileMode(dir, open ? Reachable : OwnerOnly);
                    continue;
                }
                Check(dir, me);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VirtException(ErrorCode.OperationFailed, $"cannot use directory {dir}: {e.Message}", e);
            }
        }
    }

    private static void Check(string dir, uint me)
    {
        var info = new DirectoryInfo(dir);
        if (info.LinkTarget is { } target)
            throw Refused(dir, $"is a symbolic link (to {target}), not a directory of ours");
        if (!info.Exists)
            throw Refused(dir, "is not a directory");
        var (uid, _, mode) = NativeFiles.Stat(dir);
        if (uid != me)
            throw Refused(dir, $"belongs to uid {uid} (mode {Octal(mode)}), not to uid {me} that runs the daemon");
        if ((mode & WritableByOthers) != 0)
            throw Refused(dir, $"is writable by other users (owner uid {uid}, mode {Octal(mode)}); run 'chmod go-w {dir}'");
    }

    private static VirtException Refused(string dir, string why) =>
        new(ErrorCode.OperationDenied, $"directory {dir} {why}; refusing to use it");

    private static string Octal(uint mode) => Convert.ToString(mode & 0xfff, 8).PadLeft(4, '0');
}
