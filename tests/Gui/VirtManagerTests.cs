using System.Text.Json;
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

    /// <summary>The daemon runs with --verbose: its log records every libvirt procedure it served.</summary>
    public override async Task InitializeAsync()
    {
        Daemon = await DaemonProcess.StartAsync(Dir.Combine("root"), "--verbose");
        _display = await XvfbDisplay.StartAsync();
    }

    private void AssertServed(params int[] procedures)
    {
        foreach (var procedure in procedures)
            Assert.Contains($"libvirt remote procedure {procedure} served: ok", Daemon.Output);
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
        // What virt-manager needs to show the list (GUI-CLIENTS.md §1.3): capabilities, node info, the domains, their
        // XML, info and stats, and the event registration that told it of the start.
        AssertServed(7, 6, 273, 14, 16, 344, 316);
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

    [Fact]
    public async Task The_graphical_console_shows_the_guest_and_the_serial_console_talks_to_it()
    {
        await DefineAsync("g1", "Test guest one");
        await VirtOkAsync("start", "g1");
        await TestGuest.WaitReadyAsync(Dir.Path, "g1");
        using var manager = StartVirtManager("--show-domain-console", "g1");
        await manager.WaitForLogAsync("Viewer connected cb");
        await Task.Delay(2000);
        var screen = new Screen(_display.Display);
        await screen.ShotAsync("virt-manager-console");
        // The display virt-manager shows came over the socket virtd passed it: QEMU counts it as a VNC client.
        using (var vnc = JsonDocument.Parse(await Virsh.OkAsync("qemu-monitor-command", "g1", "{\"execute\":\"query-vnc\"}")))
        {
            var clients = vnc.RootElement.GetProperty("return").GetProperty("clients").EnumerateArray();
            Assert.Contains(clients, c => c.GetProperty("family").GetString() == "unix"); // the socket pair, not TCP
        }
        AssertServed(343, 60);

        await screen.ClickAsync(180, 12); // View
        await screen.ClickAsync(215, 188); // Consoles
        await screen.ClickAsync(380, 214); // Serial 1
        await manager.WaitForLogAsync("Opening console stream");
        await Task.Delay(1000);
        await Virsh.OkAsync("reset", "g1"); // the guest boots again and prints its ready line into the console
        await screen.ClickAsync(500, 400);
        await screen.TypeAsync("typed-in-virt-manager");
        // The guest echoes what it reads; only virt-manager typed this, so its keys went through the stream to COM1.
        await WaitForAsync(() => File.ReadAllText(TestGuest.SerialPath(Dir.Path, "g1")).Contains("typed-in-virt-manager", StringComparison.Ordinal));
        await screen.ShotAsync("virt-manager-serial");
        AssertServed(201);
        // virt-manager holds the console now: a second client is told so, as libvirt tells virsh.
        await using (var second = Virsh.Console("g1"))
        {
            await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("error: operation failed: Active console session exists for this domain", second.Output);
        }
        await Virsh.OkAsync("destroy", "g1");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
