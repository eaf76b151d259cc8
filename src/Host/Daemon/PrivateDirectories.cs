using Virt.Protocol.Errors;

namespace Virt.Host.Daemon;

/// <summary>Creates the daemon's directories owner-only, and refuses ones another user could tamper with.</summary>
public static class PrivateDirectories
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode Readable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Creates <paramref name="path"/> (and parents) 0700, or checks an existing one is not open to others.</summary>
    public static void Ensure(string path)
    {
        if (!Directory.Exists(path))
        {
            // Each directory we create is owner-only, not only the last one.
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
            if (parent is not null && !Directory.Exists(parent))
                Ensure(parent);
            Directory.CreateDirectory(path, OwnerOnly);
            return;
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOther) != 0)
            throw new VirtException(ErrorCode.OperationDenied,
                $"directory {path} is open to other users (mode {Convert.ToString((int)mode, 8)}); run 'chmod 700 {path}' or remove it");
    }

    /// <summary>
    /// For the system socket directory, which other users must reach (virt-sock-ro is 0666): created 0755,
    /// and refused when anyone but the owner may write to it.
    /// </summary>
    public static void EnsureReachable(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, Readable);
            return;
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & WritableByOthers) != 0)
            throw new VirtException(ErrorCode.OperationDenied,
                $"directory {path} is writable by other users (mode {Convert.ToString((int)mode, 8)}); run 'chmod 755 {path}'");
    }
}
