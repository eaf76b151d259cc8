using System.Net.Sockets;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// virtd --libvirt-sockets listens where libvirt's clients look when the URI names no socket, so the real virsh
/// reaches it with plain qemu:///session and qemu:///system. virsh as root looks in /run/libvirt: the test gives it
/// a mount namespace of its own where /run/libvirt is the daemon's directory, and never touches the host's /run.
/// </summary>
public sealed class LibvirtDefaultSocketTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vl");
    private readonly List<DaemonProcess> _daemons = [];

    private string RuntimeDir => _dir.Combine("xdg");
    private string SessionSocket => Path.Combine(RuntimeDir, "libvirt", "virtqemud-sock");
    private Dictionary<string, string> Environment => new() { ["XDG_RUNTIME_DIR"] = RuntimeDir };

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(RuntimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var daemon in _daemons)
            await daemon.DisposeAsync();
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }

    private async Task<DaemonProcess> StartAsync(string root, params string[] args)
    {
        var daemon = await DaemonProcess.StartAsync(root, Environment, ["--libvirt-sockets", .. args]);
        _daemons.Add(daemon);
        return daemon;
    }

    /// <summary>virsh with /run/libvirt replaced, in a mount namespace of its own, by <paramref name="libvirtDir"/>.</summary>
    private static Task<ClientProcess.Result> PlainVirshAsync(string libvirtDir, params string[] args) =>
        ClientProcess.RunAsync("unshare",
        [
            "--mount", "--propagation", "private", "sh", "-c",
            "mount -t tmpfs tmpfs /run && mkdir /run/libvirt && mount --bind \"$0\" /run/libvirt && exec virsh \"$@\"",
            libvirtDir, .. args,
        ]);

    [Fact]
    public async Task Plain_qemu_session_reaches_a_session_daemon_on_libvirts_path()
    {
        if (!OtherUser.IsRoot)
            return; // a mount namespace needs root; the refusals below hold for any user
        var daemon = await StartAsync(_dir.Combine("root"));
        Assert.Equal((UnixFileMode)0b110_000_000, File.GetUnixFileMode(SessionSocket));
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Path.GetDirectoryName(SessionSocket)!));

        var file = _dir.Combine("plain.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(_dir.Path, "plain"));
        var define = await PlainVirshAsync(Path.GetDirectoryName(SessionSocket)!, "-c", "qemu:///session", "define", file);
        Assert.True(define.Exit == 0, define.ToString());
        var list = await PlainVirshAsync(Path.GetDirectoryName(SessionSocket)!, "-c", "qemu:///session", "list", "--all", "--name");
        Assert.Equal("plain\n\n", list.Out);
        // The same daemon on its own socket sees what came in through libvirt's.
        Assert.Equal("plain\n\n", await new Virsh(daemon.SocketPath).OkAsync("list", "--all", "--name"));

        await daemon.DisposeAsync();
        Assert.False(File.Exists(SessionSocket), "a daemon that stops removes the socket it bound");
    }

    [Fact]
    public async Task Plain_qemu_system_reaches_a_system_daemon_and_read_only_virsh_its_read_only_socket()
    {
        if (!OtherUser.IsRoot)
            return; // the system instance needs root
        var prefix = _dir.Combine("prefix");
        var daemon = await StartAsync(prefix, "--system");
        var libvirtDir = Path.Combine(prefix, "run", "libvirt");
        Assert.Equal((UnixFileMode)0b110_110_110, File.GetUnixFileMode(Path.Combine(libvirtDir, "virtqemud-sock-ro")));
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(libvirtDir));

        var file = _dir.Combine("sys.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(_dir.Path, "sys"));
        Assert.Equal(0, (await PlainVirshAsync(libvirtDir, "-c", "qemu:///system", "define", file)).Exit);
        Assert.Equal("sys\n\n", (await PlainVirshAsync(libvirtDir, "-r", "-c", "qemu:///system", "list", "--all", "--name")).Out);
        var start = await PlainVirshAsync(libvirtDir, "-r", "-c", "qemu:///system", "start", "sys");
        Assert.Equal(1, start.Exit);
        Assert.Contains("read only access prevents", start.Err);
        Assert.Equal("shut off\n\n", await new Virsh(daemon.SocketPath).OkAsync("domstate", "sys"));
    }

    [Fact]
    public async Task Where_something_listens_on_libvirts_path_the_daemon_refuses_to_start_naming_it()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SessionSocket)!);
        using (var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            other.Bind(new UnixDomainSocketEndPoint(SessionSocket));
            other.Listen(1);
            await using var refused = DaemonProcess.Launch(_dir.Combine("root"), Environment, "--libvirt-sockets");
            Assert.Equal(1, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"error: cannot listen: another process already listens on {SessionSocket}", refused.Output);
            Assert.True(File.Exists(SessionSocket), "the other listener's socket is left in place");
            Assert.False(File.Exists(Path.Combine(_dir.Combine("root"), "run", "virt-sock")), "the daemon's own socket is gone with it");
        }

        // The listener closed and left its socket file behind: that one is stale, and taken over.
        var daemon = await StartAsync(_dir.Combine("root"));
        Assert.Equal("\n", await new Virsh(SessionSocket).OkAsync("list", "--all", "--name"));
        await daemon.DisposeAsync();
        _daemons.Remove(daemon);

        await File.WriteAllTextAsync(SessionSocket, "not a socket");
        await using var notSocket = DaemonProcess.Launch(_dir.Combine("root"), Environment, "--libvirt-sockets");
        Assert.Equal(1, await notSocket.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"{SessionSocket} exists and is not a socket", notSocket.Output);
        Assert.Equal("not a socket", await File.ReadAllTextAsync(SessionSocket));
    }

    [Fact]
    public async Task A_daemon_that_stops_leaves_alone_a_socket_another_process_took_over()
    {
        var daemon = await StartAsync(_dir.Combine("root"));
        File.Delete(SessionSocket);
        using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        other.Bind(new UnixDomainSocketEndPoint(SessionSocket));
        other.Listen(1);
        await daemon.DisposeAsync();
        Assert.True(File.Exists(SessionSocket), "the stopping daemon removed a socket it no longer owned");
    }
}
