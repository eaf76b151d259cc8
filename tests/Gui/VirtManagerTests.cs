using Virt.Gui.Tests.Support;
using Virt.Integration.Tests.Support;

namespace Virt.Gui.Tests;

/// <summary>
/// Debian's virt-manager 4.1 under Xvfb against the real virtd, QEMU and test guest: what it lists, what its buttons do,
/// and what it shows, read from its --debug log and the daemon, with screenshots kept in TestResults/gui.
/// </summary>
public sealed class VirtManagerTests : DaemonTestBase
{
    private XvfbDisplay _display = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _display = await XvfbDisplay.StartAsync();
    }

    public override async Task DisposeAsync()
    {
        _display.Dispose();
        await base.DisposeAsync();
    }

    private async Task DefineAsync(string name, string title)
    {
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, GuiGuest.Xml(Dir.Path, name, title));
        await VirtOkAsync("define", file);
    }

    private VirtManagerProcess StartVirtManager(params string[] args) =>
        VirtManagerProcess.Start(_display.Display, Directory.CreateDirectory(Dir.Combine("home")).FullName, Daemon.SocketPath, args);

    private async Task WaitForStateAsync(string name, string state) =>
        await WaitForAsync(async () => (await Virsh.OkAsync("domstate", name)).StartsWith(state, StringComparison.Ordinal));

    [Fact]
    public async Task The_main_window_lists_every_domain_with_its_state_and_follows_a_start_made_elsewhere()
    {
        await DefineAsync("g1", "Test guest one");
        await DefineAsync("g2", "Test guest two");
        await VirtOkAsync("start", "g1");

        using var manager = StartVirtManager();
        await manager.WaitForLogAsync("domain=g1 status=Running added");
        await manager.WaitForLogAsync("domain=g2 status=Shutoff added");
        await manager.WaitForLogAsync("changed to state=Active");
        // Its first poll: node info and every domain's stats, the CPU graph's figures.
        await Task.Delay(4000);
        var shot = await new Screen(_display.Display).ShotAsync("virt-manager-main");
        Assert.True(new FileInfo(shot).Length > 5000, "the screenshot is empty");

        await Virsh.OkAsync("start", "g2");
        await manager.WaitForLogAsync("domain lifecycle event: domain=g2 state=VIR_DOMAIN_EVENT_STARTED");
        Assert.DoesNotContain("Traceback", manager.Log);
        Assert.DoesNotContain("unknown procedure: 7", manager.Log);
    }

    [Fact]
    public async Task The_vm_window_pauses_resumes_forces_off_runs_shuts_down_and_deletes_the_guest()
    {
        await DefineAsync("g1", "Test guest one");
        await VirtOkAsync("start", "g1");
        using var manager = StartVirtManager("--show-domain-editor", "g1");
        await manager.WaitForLogAsync("Showing VM details");
        await Task.Delay(2000);
        var screen = new Screen(_display.Display);
        await screen.ShotAsync("virt-manager-details");

        // The toolbar of the VM window at virt-manager 4.1's default size: run, pause, shut down, its menu.
        await screen.ClickAsync(168, 46); // pause
        await WaitForStateAsync("g1", "paused");
        await screen.ClickAsync(168, 46); // pause is a toggle: resume
        await WaitForStateAsync("g1", "running");
        await screen.ClickAsync(250, 46); // the shutdown menu
        await screen.ClickAsync(292, 154); // Force Off
        await WaitForStateAsync("g1", "shut off");
        Assert.Equal("shut off (destroyed)\n\n", await Virsh.OkAsync("domstate", "--reason", "g1"));
        await screen.ClickAsync(124, 46); // run
        await WaitForStateAsync("g1", "running");
        await TestGuest.WaitReadyAsync(Dir.Path, "g1"); // its power button is armed
        await screen.ClickAsync(250, 46);
        await screen.ClickAsync(298, 104); // Shut Down: the guest powers off
        await WaitForStateAsync("g1", "shut off");
        Assert.Equal("shut off (shutdown)\n\n", await Virsh.OkAsync("domstate", "--reason", "g1"));

        await screen.ClickAsync(98, 12); // the Virtual Machine menu
        await screen.ClickAsync(91, 163); // Delete...
        await manager.WaitForLogAsync("Showing delete wizard");
        await Task.Delay(1000);
        await screen.ShotAsync("virt-manager-delete");
        await screen.ClickAsync(682, 562); // Delete, with its storage (checked by default)
        await manager.WaitForLogAsync("domain=g1 removed");
        var gone = await Virsh.RunAsync("dominfo", "g1");
        Assert.Contains("failed to get domain 'g1'", gone.Err);
        await WaitForAsync(() => !File.Exists(Dir.Combine("g1.img")));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
