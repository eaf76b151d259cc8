using Virt.Host.Daemon;
using Virt.Protocol.Errors;
using Virt.Supervisor.Paths;
using Virt.TestSupport;

namespace Virt.Host.Tests.Daemon;

/// <summary>Every directory of a tree is the daemon's own: created owner-only, refused with its owner and mode otherwise.</summary>
public sealed class TreeDirectoriesTests : IDisposable
{
    private readonly TempDirectory _dir = new("vd");

    private string Root => _dir.Combine("root");

    [Fact]
    public void A_new_tree_is_created_owner_only_down_to_every_leaf()
    {
        var paths = VirtPaths.PrivateDaemon(Root);
        TreeDirectories.Ensure(paths);
        foreach (var dir in new[] { Root, _dir.Combine("root", "etc"), paths.ConfigDir, _dir.Combine("root", "run"), paths.RuntimeDir, _dir.Combine("root", "log"), paths.LogDir })
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
    }

    [Theory]
    [InlineData("")]
    [InlineData("run")]
    [InlineData("run/qemu")]
    [InlineData("log/qemu")]
    public void A_directory_others_may_write_is_refused_naming_it_and_its_mode(string relative)
    {
        var paths = VirtPaths.PrivateDaemon(Root);
        TreeDirectories.Ensure(paths);
        var dir = Path.TrimEndingDirectorySeparator(Path.Combine(Root, relative));
        File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("775", 8));
        var e = Assert.Throws<VirtException>(() => TreeDirectories.Ensure(paths));
        Assert.Contains($"directory {dir} is writable by other users", e.Message);
        Assert.Contains("mode 0775", e.Message);
    }

    [Fact]
    public void A_directory_of_another_user_is_refused_naming_its_owner()
    {
        if (Geteuid() != 0)
            return; // only root can give a directory away; the suite runs as root in CI
        var paths = VirtPaths.PrivateDaemon(Root);
        TreeDirectories.Ensure(paths);
        Assert.Equal(0, Chown(paths.RuntimeDir, 65534, 65534));
        var e = Assert.Throws<VirtException>(() => TreeDirectories.Ensure(paths));
        Assert.Contains($"directory {paths.RuntimeDir} belongs to uid 65534 (mode 0700), not to uid 0", e.Message);
    }

    [Fact]
    public void A_symbolic_link_in_place_of_a_directory_is_refused()
    {
        var paths = VirtPaths.PrivateDaemon(Root);
        Directory.CreateDirectory(Path.Combine(Root, "run"));
        Directory.CreateDirectory(_dir.Combine("elsewhere"));
        Directory.CreateSymbolicLink(paths.RuntimeDir, _dir.Combine("elsewhere"));
        var e = Assert.Throws<VirtException>(() => TreeDirectories.Ensure(paths));
        Assert.Contains($"directory {paths.RuntimeDir} is a symbolic link", e.Message);
    }

    [Fact]
    public void The_system_socket_directory_stays_reachable_and_the_rest_private()
    {
        var paths = VirtPaths.System(Root);
        TreeDirectories.Ensure(paths);
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(paths.SocketDir!));
        Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(Root));
        Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(paths.RuntimeDir));
        Assert.Equal((UnixFileMode)Convert.ToInt32("700", 8), File.GetUnixFileMode(paths.ConfigDir));
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "chown")]
    private static extern int Chown(string path, uint uid, uint gid);

    public void Dispose() => _dir.Dispose();
}
