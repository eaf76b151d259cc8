using Virt.Protocol.Connection;
using Virt.Supervisor.Paths;

namespace Virt.Host.Daemon;

/// <summary>
/// Where libvirt's clients look for the QEMU daemon when a URI names no socket (virsh -c qemu:///session): the
/// modular daemon's sockets, virtqemud-sock (and -sock-ro for the system). A session's lives in the user's runtime
/// directory ($XDG_RUNTIME_DIR, else ~/.cache), a system daemon's in /run/libvirt under its prefix.
/// </summary>
public sealed record LibvirtSocketPaths(string Directory, string ReadWrite, string? ReadOnly)
{
    private const string SocketName = "virtqemud-sock";

    public static LibvirtSocketPaths For(VirtPaths paths, string? xdgRuntimeDir = null, string? home = null)
    {
        if (paths.Mode == RuntimeMode.System)
        {
            // The system SocketDir is PREFIX/run/virt; libvirt's is its sibling PREFIX/run/libvirt.
            var run = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(paths.SocketDir!))!;
            var system = Path.Combine(run, "libvirt");
            return new LibvirtSocketPaths(system, Path.Combine(system, SocketName), Path.Combine(system, SocketName + "-ro"));
        }
        xdgRuntimeDir ??= Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        home ??= Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var runtime = string.IsNullOrEmpty(xdgRuntimeDir) ? Path.Combine(home, ".cache") : xdgRuntimeDir;
        var session = Path.Combine(runtime, "libvirt");
        return new LibvirtSocketPaths(session, Path.Combine(session, SocketName), null);
    }

    /// <summary>Makes the directory if missing: the user's own for a session (0700), world-searchable for the system (0755), as libvirt makes it.</summary>
    public void EnsureDirectory(bool system)
    {
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        if (system)
            mode |= UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        if (!System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.CreateDirectory(Directory, mode);
            File.SetUnixFileMode(Directory, mode); // the umask narrowed what mkdir made
        }
    }
}
