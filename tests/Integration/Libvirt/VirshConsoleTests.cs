using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// Debian's real `virsh console` against virtd (DOMAIN_OPEN_CONSOLE and libvirt's streams), the real QEMU and the echo
/// guest: typing reaches the guest and its echo comes back, ^] detaches and frees the console, force takes it over.
/// </summary>
public sealed class VirshConsoleTests : DaemonTestBase
{
    private Virsh Client => new(Daemon.SocketPath);
    private string Log => EchoGuest.LogPath(Dir.Path);

    private async Task StartEchoGuestAsync(string? serial = null) => await EchoGuest.StartAsync(await ConnectAsync(), Dir.Path, serial);

    /// <summary>
    /// Until the daemon has opened the console <paramref name="times"/> times, as its log says: virsh makes its terminal
    /// raw just before it opens, and flushes what was typed earlier, so nothing may be typed until then.
    /// </summary>
    private async Task WaitUntilOpenedAsync(int times)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (Daemon.Output.Split("Domain echo: console serial0 opened").Length - 1 < times)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the console was not opened {times} times:\n{Daemon.Output}");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Virsh_console_types_into_the_guest_reads_its_echo_and_detaches_with_ctrl_close_bracket()
    {
        await StartEchoGuestAsync();
        await using (var virsh = Client.Console("echo"))
        {
            await virsh.WaitForOutputAsync("Connected to domain 'echo'");
            await virsh.WaitForOutputAsync("Escape character is ^] (Ctrl + ])");
            await WaitUntilOpenedAsync(1);
            await virsh.SendAsync("typed into virsh\r");
            await virsh.WaitForOutputAsync("typed into virsh");
            await TestGuest.WaitForTextAsync(Log, "typed into virsh");
            await virsh.SendAsync("\x1d");
            Assert.True(await virsh.WaitForExitAsync() == 0, virsh.Output);
        }

        // virsh's detach ended the stream on the daemon: the console is free again, here for `virt console`.
        await using var client = await ConnectAsync();
        await using var console = await client.OpenConsoleAsync(new ConsoleCommands.OpenConsole(DomainRef.ByName("echo"), "serial0"));
        await console.WriteAsync("and for virt\r"u8.ToArray());
        await TestGuest.WaitForTextAsync(Log, "and for virt");
    }

    [Fact]
    public async Task Virsh_console_is_refused_while_another_session_holds_it_and_force_takes_it_over()
    {
        await StartEchoGuestAsync();
        await using var client = await ConnectAsync();
        await using var holder = await client.OpenConsoleAsync(new ConsoleCommands.OpenConsole(DomainRef.ByName("echo")));
        await using (var refused = Client.Console("echo"))
        {
            Assert.Equal(1, await refused.WaitForExitAsync());
            Assert.Contains("error: operation failed: Active console session exists for this domain", refused.Output);
        }

        await using var forced = Client.Console("echo", "--force", "--safe");
        await forced.WaitForOutputAsync("Escape character is ^]");
        var taken = await Assert.ThrowsAsync<VirtException>(async () =>
        {
            await foreach (var _ in holder.Output.ReadAllAsync())
            {
            }
        });
        Assert.Contains("taken over by another session", taken.Message);
        await WaitUntilOpenedAsync(2);
        await forced.SendAsync("after the takeover\r");
        await forced.WaitForOutputAsync("after the takeover");
        await forced.SendAsync("\x1d");
        Assert.True(await forced.WaitForExitAsync() == 0, forced.Output);
    }

    [Fact]
    public async Task Virsh_console_ends_with_exit_0_when_the_domain_is_destroyed()
    {
        await StartEchoGuestAsync();
        await using var virsh = Client.Console("echo");
        await virsh.WaitForOutputAsync("Escape character is ^]");
        await WaitUntilOpenedAsync(1);
        Assert.Equal("Domain 'echo' destroyed\n\n", await Client.OkAsync("destroy", "echo"));
        Assert.True(await virsh.WaitForExitAsync() == 0, virsh.Output);
        Assert.DoesNotContain("error", virsh.Output);
    }

    [Fact]
    public async Task Python_libvirt_streams_send_recv_abort_finish_and_force_as_virt_manager_uses_them()
    {
        await StartEchoGuestAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Libvirt", "libvirt_console_script.py");
        var result = await ClientProcess.RunAsync("/usr/bin/python3", [script, Client.Uri, "echo"]);
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal(
        [
            "echo from python",
            "aborted",
            "echo after the abort",
            "refused True operation failed: Active console session exists for this domain",
            "taken over operation failed: the console was taken over by another session (force)",
            "echo after the takeover",
            "finished",
            "missing True internal error: cannot find character device serial9",
        ], result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Virsh_console_of_a_domain_without_a_console_gets_libvirts_error()
    {
        await StartEchoGuestAsync(serial: "");
        await using var virsh = Client.Console("echo");
        Assert.Equal(1, await virsh.WaitForExitAsync());
        Assert.Contains("error: internal error: cannot find character device <null>", virsh.Output);
    }
}
