using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Consoles;

/// <summary>`virt console` on the real daemon and QEMU: typing reaches the guest, whose echo comes back; ^] leaves.</summary>
public sealed class VirtConsoleTests : DaemonTestBase
{
    private const string Banner = "Connected to domain 'echo'\nEscape character is ^] (Ctrl + ])\n";

    private string Uri => $"qemu:///session?socket={Daemon.SocketPath}";
    private string Log => EchoGuest.LogPath(Dir.Path);

    private InteractiveProcess Console(params string[] args) => InteractiveProcess.Start(NativeVirt.Path, ["-c", Uri, "console", .. args]);

    private async Task StartEchoGuestAsync() => await EchoGuest.StartAsync(await ConnectAsync(), Dir.Path);

    /// <summary>Types a line and waits for the guest's echo; the serial log, which holds only what the guest wrote, has it too.</summary>
    private async Task EchoAsync(InteractiveProcess console, string text)
    {
        await console.SendAsync(text + "\r");
        await console.WaitForOutputAsync(text);
        await TestGuest.WaitForTextAsync(Log, text);
    }

    [Fact]
    public async Task Typed_bytes_reach_the_guest_its_echo_comes_back_and_ctrl_close_bracket_detaches_with_exit_0()
    {
        await StartEchoGuestAsync();
        await using (var console = Console("echo"))
        {
            await console.WaitForOutputAsync(Banner);
            await EchoAsync(console, "typed into virt console");
            await console.SendAsync("\x1d");
            Assert.Equal(0, await console.WaitForExitAsync());
        }

        // The session ended with the detach: the next one opens, on the device named as virsh names it.
        await using var again = Console("echo", "serial0");
        await again.WaitForOutputAsync(Banner);
        await EchoAsync(again, "second session");
        await again.SendAsync("\x1d");
        Assert.Equal(0, await again.WaitForExitAsync());
    }

    [Fact]
    public async Task A_second_console_is_refused_unless_forced_and_a_forced_one_takes_the_console_over()
    {
        await StartEchoGuestAsync();
        await using var first = Console("echo");
        await first.WaitForOutputAsync(Banner);

        await using (var second = Console("echo"))
        {
            Assert.Equal(1, await second.WaitForExitAsync());
            Assert.Contains("error: Active console session exists for this domain", second.Error);
        }

        await using var forced = Console("echo", "--force");
        await forced.WaitForOutputAsync(Banner);
        Assert.Equal(1, await first.WaitForExitAsync());
        Assert.Contains("taken over by another session", first.Error);
        await EchoAsync(forced, "after the takeover");
        await forced.SendAsync("\x1d");
        Assert.Equal(0, await forced.WaitForExitAsync());
    }

    [Fact]
    public async Task The_console_works_after_a_daemon_restart_from_the_pty_the_status_file_keeps()
    {
        await StartEchoGuestAsync();
        await RestartDaemonAsync(hard: true);
        await using var console = Console("echo");
        await console.WaitForOutputAsync(Banner);
        await EchoAsync(console, "after the restart");
        await console.SendAsync("\x1d");
        Assert.Equal(0, await console.WaitForExitAsync());
    }

    [Fact]
    public async Task Under_a_terminal_the_console_is_raw_bytes_reach_the_guest_without_a_newline_and_ctrl_close_bracket_leaves()
    {
        await StartEchoGuestAsync();
        // A cooked terminal would hold "no newline" back until a newline, and pass ^] on as text.
        await using var console = InteractiveProcess.StartUnderTerminal(NativeVirt.Path, "-c", Uri, "console", "echo");
        await console.WaitForOutputAsync("Escape character is ^] (Ctrl + ])");
        await console.SendAsync("no newline");
        await TestGuest.WaitForTextAsync(Log, "no newline");
        await console.SendAsync("\x1d");
        Assert.Equal(0, await console.WaitForExitAsync());
    }

    [Fact]
    public async Task Destroying_the_domain_ends_the_session_and_virt_console_exits_0()
    {
        await StartEchoGuestAsync();
        await using var console = Console("echo");
        await console.WaitForOutputAsync(Banner);
        await using var client = await ConnectAsync();
        await client.DestroyAsync(DomainRef.ByName("echo"));
        Assert.Equal(0, await console.WaitForExitAsync());
        Assert.Equal("", console.Error);
    }

    [Fact]
    public async Task A_lone_pty_console_is_serial_0_as_in_libvirt_and_reached_as_such()
    {
        await EchoGuest.StartAsync(await ConnectAsync(), Dir.Path, $"<console type='pty'><log file='{Log}'/><target type='serial'/></console>");
        await TestGuest.WaitReadyInAsync(Log, "echo");
        await using var client = await ConnectAsync();
        var devices = System.Xml.Linq.XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName("echo"))).Descendants("devices").Single();
        var paths = devices.Elements().Where(e => e.Name == "serial" || e.Name == "console")
            .Select(e => ((string)e.Name.LocalName, (string?)e.Element("source")?.Attribute("path"), (string?)e.Element("alias")?.Attribute("name"))).ToList();
        Assert.Equal(["serial", "console"], paths.Select(p => p.Item1));
        Assert.Single(paths.Select(p => (p.Item2, p.Item3)).Distinct());

        await using var console = Console("echo", "serial0");
        await console.WaitForOutputAsync(Banner);
        await EchoAsync(console, "through the lone console");
        await console.SendAsync("\x1d");
        Assert.Equal(0, await console.WaitForExitAsync());
    }

    [Fact]
    public async Task A_shut_off_domain_has_no_console_as_virsh_says()
    {
        await using var client = await ConnectAsync();
        await client.DefineAsync(TestGuest.Xml(Dir.Path, "echo", serial: TestGuest.PtySerial()));
        await using var console = Console("echo");
        Assert.Equal(1, await console.WaitForExitAsync());
        Assert.Contains("error: The domain is not running", console.Error);
    }

    [Theory]
    [InlineData("", null, "cannot find character device <null>")]
    [InlineData("FILE", null, "character device serial0 is not using a PTY")]
    [InlineData("PTY", "serial7", "cannot find character device serial7")]
    public async Task A_domain_without_that_pty_console_is_refused_with_libvirts_error(string serial, string? device, string error)
    {
        var xml = serial switch
        {
            "FILE" => $"<serial type='file'><source path='{Dir.Combine("echo.serial")}'/><target port='0'/></serial>",
            "PTY" => TestGuest.PtySerial(),
            _ => serial,
        };
        await EchoGuest.StartAsync(await ConnectAsync(), Dir.Path, xml);
        await using var console = device is null ? Console("echo") : Console("echo", device);
        Assert.Equal(1, await console.WaitForExitAsync());
        Assert.Contains($"error: {error}", console.Error);
        Assert.DoesNotContain("Connected to domain", console.Output);
    }
}
