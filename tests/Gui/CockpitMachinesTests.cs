using System.Text.Json;
using Virt.Gui.Tests.Support;
using Virt.Integration.Tests.Support;

namespace Virt.Gui.Tests;

/// <summary>
/// Debian's cockpit-machines 288 in headless Chromium, through cockpit-ws, cockpit-bridge and libvirt-dbus, against
/// the real virtd and test guest: the list, Run, the VNC console and the serial console, with screenshots. Everything
/// but the browser runs as nobody, virtd included: a session daemon serves its own uid, and cockpit hides the session
/// connection from root.
/// </summary>
public sealed class CockpitMachinesTests : DaemonTestBase
{
    private const int Nobody = 65534;
    private const string Guest = "cg";

    private CockpitSession? _cockpit;
    private HeadlessChromium? _browser;
    private DevToolsClient? _page;

    private string Home => Dir.Combine("home");
    private string RuntimeDir => Dir.Combine("xdg");

    public override async Task InitializeAsync()
    {
        Assert.True(CockpitSession.Installed, "cockpit-ws, chromium-headless-shell and the unpacked cockpit-machines and libvirt-dbus are missing: run scripts/setup.sh");
        await File.WriteAllTextAsync(Dir.Combine(Guest + ".xml"), GuiGuest.Xml(Dir.Path, Guest, "Cockpit guest"));
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(RuntimeDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Dir.Combine("root"));
        var chown = await ClientProcess.RunAsync("chown", ["-R", $"{Nobody}:{Nobody}", Dir.Path]);
        Assert.True(chown.Exit == 0, chown.ToString());
        // --libvirt-sockets: virtd listens at $XDG_RUNTIME_DIR/libvirt/virtqemud-sock, where qemu:///session looks.
        Daemon = await DaemonProcess.StartAsUserAsync(Dir.Combine("root"), Nobody, CockpitSession.Environment(Home, RuntimeDir), "--verbose", "--libvirt-sockets");
        await VirshOkAsync("define", Dir.Combine(Guest + ".xml"));
        // An active pool: cockpit counts it once the refresh event of its refresh call arrives.
        Directory.CreateDirectory(Dir.Combine("images"));
        _ = await ClientProcess.RunAsync("chown", [$"{Nobody}:{Nobody}", Dir.Combine("images")]);
        await VirshOkAsync("pool-define-as", "images", "dir", "--target", Dir.Combine("images"));
        await VirshOkAsync("pool-start", "images");
        _cockpit = await CockpitSession.StartAsync(Nobody, Home, RuntimeDir);
        _browser = await HeadlessChromium.StartAsync(Dir.Combine("chrome"), 1280, 860);
        _page = await DevToolsClient.AttachAsync(_browser.Port);
    }

    public override async Task DisposeAsync()
    {
        if (_page is not null)
        {
            try
            {
                await ShotAsync("cockpit-machines-last"); // where the page was when the test ended, passed or not
            }
            catch (Exception e) when (e is InvalidOperationException or System.Net.WebSockets.WebSocketException or OperationCanceledException)
            {
            }
        }
        _page?.Dispose();
        _browser?.Dispose();
        // What virtd served and what cockpit's programs said, kept beside the screenshots.
        await File.WriteAllTextAsync(Path.Combine(Screen.ArtifactDirectory, "cockpit-virtd.log"), Daemon?.Output ?? "");
        await File.WriteAllTextAsync(Path.Combine(Screen.ArtifactDirectory, "cockpit-session.log"), _cockpit?.Output ?? "");
        _cockpit?.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>virsh as cockpit runs it: the same user, plain qemu:///session found through XDG_RUNTIME_DIR.</summary>
    private async Task<string> VirshOkAsync(params string[] args)
    {
        var environment = CockpitSession.Environment(Home, RuntimeDir).Select(e => $"{e.Key}={e.Value}");
        var result = await ClientProcess.RunAsync("setpriv",
            [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", "env", .. environment, "virsh", "-c", "qemu:///session", .. args]);
        Assert.True(result.Exit == 0, result.ToString());
        return result.Out;
    }

    private void AssertServed(params int[] procedures)
    {
        foreach (var procedure in procedures)
            Assert.Contains($"libvirt remote procedure {procedure} served: ok", Daemon.Output);
    }

    private Task<string> ShotAsync(string name) => _page!.ScreenshotAsync(Path.Combine(Screen.ArtifactDirectory, name + ".png"));

    private const string PageText = "document.body.innerText";

    [Fact]
    public async Task The_machines_page_lists_the_guest_runs_it_and_shows_its_vnc_and_serial_consoles()
    {
        var page = _page!;
        await page.CallAsync("Page.enable");
        await page.CallAsync("Emulation.setDeviceMetricsOverride", new { width = 1280, height = 860, deviceScaleFactor = 1, mobile = false });
        // No KVM here: the "hardware virtualization is disabled" page is dismissed as its Ignore button would.
        await page.CallAsync("Page.addScriptToEvaluateOnNewDocument", new { source = "localStorage.setItem('virtualization-disabled-ignored', 'true');" });
        await page.CallAsync("Page.navigate", new { url = _cockpit!.MachinesUrl });

        await page.WaitForAsync($"{PageText}.includes('{Guest}') && {PageText}.includes('Shut off')", "the guest, shut off, in the list");
        await page.WaitForAsync($"{PageText}.includes('1 Storage pool')", "the active pool, counted after its refresh event");
        await Task.Delay(1000);
        await ShotAsync("cockpit-machines-list");
        AssertServed(342, 273, 228, 283, 285, 368, 83, 202);

        await page.EvaluateAsync($"document.querySelector('#vm-{Guest}-session-run').click()");
        await page.WaitForAsync($"{PageText}.includes('Running')", "the guest running in the list");
        Assert.StartsWith("running", await VirshOkAsync("domstate", Guest), StringComparison.Ordinal);
        await TestGuest.WaitReadyAsync(Dir.Path, Guest);

        // A fresh load of the VM page: it reads the live XML of the running guest, with the VNC port QEMU took.
        await page.CallAsync("Page.navigate", new { url = $"{_cockpit.MachinesUrl}#vm?name={Guest}&connection=session" });
        await page.WaitForAsync("document.querySelector('.vm-console-vnc canvas, canvas')", "the VNC console's canvas");
        // cockpit's noVNC reached QEMU at the live XML's listen address and port, through cockpit-bridge: a TCP client.
        await File.WriteAllTextAsync(Path.Combine(Screen.ArtifactDirectory, "cockpit-cg-live.xml"), await VirshOkAsync("dumpxml", "--security-info", Guest));
        // Its first try can come before the page has the port (cockpit's own race): then it offers Connect, which a user clicks.
        await WaitForAsync(async () =>
        {
            await page.EvaluateAsync("[...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Connect')?.click()");
            await Task.Delay(1000);
            return VncClients(await VirshOkAsync("qemu-monitor-command", Guest, "{\"execute\":\"query-vnc\"}")).Contains("ipv4");
        });
        await Task.Delay(2000);
        await ShotAsync("cockpit-machines-vnc-console");

        // The console type menu: its toggle shows the type in use; Serial console is one of its options.
        await page.EvaluateAsync("[...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'VNC console').click()");
        await page.WaitForAsync("[...document.querySelectorAll('button, li')].some(b => b.innerText.trim() === 'Serial console')", "the Serial console option");
        await page.EvaluateAsync("[...document.querySelectorAll('button, li')].filter(b => b.innerText.trim() === 'Serial console').pop().click()");
        await page.WaitForAsync("document.querySelector('.xterm')", "the serial console's terminal");
        await WaitForAsync(() => Daemon.Output.Contains("libvirt remote procedure 201 served: ok", StringComparison.Ordinal));
        await Task.Delay(1000);
        await page.EvaluateAsync("document.querySelector('.xterm-helper-textarea').focus()");
        await page.TypeAsync("typedincockpit\r");
        // The guest echoes what it reads: only cockpit typed this, so the keys went through virsh console to COM1.
        await WaitForAsync(() => File.ReadAllText(TestGuest.SerialPath(Dir.Path, Guest)).Contains("typedincockpit", StringComparison.Ordinal));
        await Task.Delay(1000);
        await ShotAsync("cockpit-machines-serial-console");
        await VirshOkAsync("destroy", Guest);
    }

    private static string VncClients(string reply)
    {
        using var vnc = JsonDocument.Parse(reply);
        return string.Join(",", vnc.RootElement.GetProperty("return").GetProperty("clients").EnumerateArray().Select(c => c.GetProperty("family").GetString()));
    }
}
