using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// DOMAIN_OPEN_GRAPHICS_FD, the only way virt-manager opens a local guest's console: python3-libvirt gets a socket
/// that QEMU's VNC server serves (getfd + add_client), passed with SCM_RIGHTS after a REPLY_WITH_FDS packet.
/// </summary>
public sealed class OpenGraphicsFdTests : DaemonTestBase
{
    private const string Vnc = "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>";

    [Fact]
    public async Task Python_opens_vnc_clients_over_passed_fds_and_no_descriptor_is_left_behind()
    {
        await DefineAsync("gfx", Vnc);
        await DefineAsync("gfxpw", "<graphics type='vnc' autoport='yes' listen='127.0.0.1' passwd='s3cret'/>");
        await DefineAsync("gfxoff", Vnc);
        await Virsh.OkAsync("start", "gfx");
        await Virsh.OkAsync("start", "gfxpw");
        var qemu = QemuReaper.FindUnder(Dir.Path).Order().ToList();
        Assert.Equal(2, qemu.Count);
        // One libvirt connection first, so what a first client sets up for good (thread pool, epoll) is not counted.
        await Virsh.OkAsync("domstate", "gfx");
        var daemonFds = FdCount(Daemon.Pid);
        var qemuFds = qemu.Select(FdCount).ToList();

        var script = Path.Combine(AppContext.BaseDirectory, "Libvirt", "libvirt_graphics_script.py");
        var result = await ClientProcess.RunAsync("/usr/bin/python3",
            [script, $"qemu+unix:///session?socket={Daemon.SocketPath}", "gfx", "gfxpw", "gfxoff"]);
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal(
        [
            "greeting b'RFB 003.008\\n'",
            "types [1]",
            "two True",
            "password-types [2]",
            "skipauth-types [1]",
            "security-result 0",
            "framebuffer True",
            "out-of-range 1 internal error: No graphics backend with index 1",
            "shut-off 55 Requested operation is not valid: domain is not running",
            "bad-flags 8 invalid argument: unsupported flags (0x2) in function qemuDomainOpenGraphicsFD",
        ], result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        // Every end the daemon made was closed (sent, or failed), and QEMU let go of each client once it left.
        await WaitForAsync(() => FdCount(Daemon.Pid) <= daemonFds);
        await WaitForAsync(() => qemu.Select(FdCount).SequenceEqual(qemuFds));
        await Virsh.OkAsync("destroy", "gfx");
        await Virsh.OkAsync("destroy", "gfxpw");
    }

    [Fact]
    public async Task The_native_socket_refuses_it_by_name()
    {
        await DefineAsync("gfxjson", Vnc);
        await Virsh.OkAsync("start", "gfxjson");
        var connection = await ConnectAsync();
        var error = await Assert.ThrowsAsync<Virt.Protocol.Errors.VirtException>(() => connection.CallAsync<Virt.Protocol.Api.DomainReplies.GraphicsOpened>(
            new Virt.Protocol.Api.DomainCommands.OpenGraphics(Virt.Protocol.Api.DomainRef.ByName("gfxjson"))));
        Assert.Equal(Virt.Protocol.Errors.ErrorCode.ConfigUnsupported, error.Code);
        Assert.Contains("domain.open-graphics hands over a file descriptor", error.Message);
        await Virsh.OkAsync("destroy", "gfxjson");
    }

    private async Task DefineAsync(string name, string graphics)
    {
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, TestGuest.WithDevices(TestGuest.Xml(Dir.Path, name), graphics));
        await Virsh.OkAsync("define", file);
    }

    private static int FdCount(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
