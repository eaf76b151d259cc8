using Virt.Protocol.Connection;
using Virt.Protocol.Errors;
using Virt.Supervisor.Paths;

namespace Virt.Supervisor.Tests.Paths;

public class VirtPathsTests
{
    [Fact]
    public void Session_paths_follow_xdg_and_the_home()
    {
        var paths = VirtPaths.Session(home: "/home/u", xdgRuntimeDir: "/run/user/1000");
        Assert.Equal("/home/u/.config/virt/qemu", paths.ConfigDir);
        Assert.Equal("/run/user/1000/virt/qemu", paths.RuntimeDir);
        Assert.Equal("/home/u/.cache/virt/log/qemu/vm1.log", paths.DomainLogPath("vm1"));
        Assert.Equal("/run/user/1000/virt/virt-sock", paths.SocketPath);
        Assert.Null(paths.ReadOnlySocketPath);
    }

    [Fact]
    public void Session_paths_without_xdg_runtime_dir_stay_under_the_home()
    {
        var paths = VirtPaths.Session(home: "/root", xdgRuntimeDir: "");
        Assert.StartsWith("/root/", paths.RuntimeDir);
        Assert.StartsWith("/root/", paths.SocketPath);
    }

    [Fact]
    public void System_paths_have_a_read_only_socket()
    {
        var paths = VirtPaths.System();
        Assert.Equal("/etc/virt/qemu", paths.ConfigDir);
        Assert.Equal("/run/virt/virt-sock", paths.SocketPath);
        Assert.Equal("/run/virt/virt-sock-ro", paths.ReadOnlySocketPath);
        Assert.Equal("/var/log/virt/qemu", paths.LogDir);
    }

    [Fact]
    public void Embed_paths_live_under_the_root_and_have_no_socket()
    {
        var paths = VirtPaths.For(VirtUri.Parse("qemu:///embed?root=/tmp/r"));
        Assert.Equal("/tmp/r/etc/qemu", paths.ConfigDir);
        Assert.Equal("/tmp/r/run/qemu/3.qmp", paths.MonitorPath(3));
        Assert.Equal("/tmp/r/log/qemu", paths.LogDir);
        Assert.Null(paths.SocketPath);
    }

    [Fact]
    public void A_root_too_deep_for_unix_sockets_is_refused_with_the_path()
    {
        var deep = "/tmp/" + new string('d', 120);
        var e = Assert.Throws<VirtException>(() => VirtPaths.PrivateDaemon(deep).EnsureSocketPathsFit());
        Assert.Contains("longer than 103 bytes", e.Message);
        VirtPaths.PrivateDaemon("/tmp/short").EnsureSocketPathsFit();
    }
}
