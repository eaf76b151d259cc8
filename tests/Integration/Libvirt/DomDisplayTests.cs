using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// domdisplay reads the live XML: Debian's real virsh, over libvirt's protocol, and `virt` over ours print the same
/// URIs for a running domain with VNC and SPICE, and the same errors where there is nothing to show.
/// </summary>
public sealed class DomDisplayTests : DaemonTestBase
{
    private const string Password = "d1splay";

    private Virsh Virsh => new(Daemon.SocketPath);

    private VirtCli Virt => new(Daemon.SocketPath, Dir.Path);

    [Fact]
    public async Task Virsh_and_virt_print_the_same_display_uris()
    {
        await Virt.DefineGuestAsync("dd", $"<graphics type='vnc' autoport='yes' listen='127.0.0.1' passwd='{Password}'/>" +
            "<graphics type='spice' autoport='yes' listen='127.0.0.1'/>");
        await Virt.OkAsync("start", "dd");

        var vnc = await Virt.OkAsync("domdisplay", "dd");
        Assert.Matches(@"^vnc://127\.0\.0\.1:\d+\n$", vnc);
        Assert.Equal(vnc, await Virsh.OkAsync("domdisplay", "dd"));
        foreach (var options in new[] { ["--type", "spice"], ["--all"], new[] { "--include-password" } })
            Assert.Equal(await Virsh.OkAsync(["domdisplay", "dd", .. options]), await Virt.OkAsync(["domdisplay", "dd", .. options]));
        Assert.Matches(@"^spice://127\.0\.0\.1:\d+\n$", await Virt.OkAsync("domdisplay", "dd", "--type", "spice"));
        Assert.StartsWith($"vnc://:{Password}@127.0.0.1:", await Virt.OkAsync("domdisplay", "dd", "--include-password"));
        Assert.Equal(2, (await Virt.OkAsync("domdisplay", "dd", "--all")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        await Virt.OkAsync("destroy", "dd");
    }

    [Fact]
    public async Task A_domain_that_is_not_running_or_has_no_graphics_gets_virshs_errors()
    {
        await Virt.DefineGuestAsync("plain");
        var offVirsh = await Virsh.RunAsync("domdisplay", "plain");
        var offVirt = await Virt.RunAsync(["domdisplay", "plain"]);
        Assert.Equal((1, "error: Domain is not running\n"), (offVirsh.Exit, offVirsh.Err));
        Assert.Equal((offVirsh.Exit, offVirsh.Err), (offVirt.Exit, offVirt.Err));

        await Virt.OkAsync("start", "plain");
        var virsh = await Virsh.RunAsync("domdisplay", "plain");
        var virt = await Virt.RunAsync(["domdisplay", "plain"]);
        Assert.Equal((1, "error: No graphical display found\n"), (virsh.Exit, virsh.Err));
        Assert.Equal((virsh.Exit, virsh.Err), (virt.Exit, virt.Err));
        var typed = await Virt.RunAsync(["domdisplay", "plain", "--type", "vnc"]);
        Assert.Equal("error: No graphical display with type 'vnc' found\n", typed.Err);
        await Virt.OkAsync("destroy", "plain");
    }
}
