using Virt.Host.Daemon;
using Virt.Supervisor.Paths;

namespace Virt.Host.Tests.Daemon;

public sealed class LibvirtSocketPathsTests
{
    [Fact]
    public void A_session_listens_in_the_users_runtime_directory_as_virtqemud_does()
    {
        var paths = LibvirtSocketPaths.For(VirtPaths.Session("/home/u", "/run/user/1000"), "/run/user/1000", "/home/u");
        Assert.Equal(new LibvirtSocketPaths("/run/user/1000/libvirt", "/run/user/1000/libvirt/virtqemud-sock", null), paths);
    }

    [Fact]
    public void Without_xdg_runtime_dir_the_session_socket_is_under_the_home_cache_as_libvirts_client_looks()
    {
        var paths = LibvirtSocketPaths.For(VirtPaths.PrivateDaemon("/tmp/r"), xdgRuntimeDir: "", home: "/home/u");
        Assert.Equal("/home/u/.cache/libvirt/virtqemud-sock", paths.ReadWrite);
    }

    [Theory]
    [InlineData("/", "/run/libvirt")]
    [InlineData("/srv/stage", "/srv/stage/run/libvirt")]
    public void A_system_daemon_takes_both_of_run_libvirts_sockets_under_its_prefix(string prefix, string directory)
    {
        var paths = LibvirtSocketPaths.For(VirtPaths.System(prefix));
        Assert.Equal(new LibvirtSocketPaths(directory, directory + "/virtqemud-sock", directory + "/virtqemud-sock-ro"), paths);
    }
}
