using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>virt.on-stop = shutdown: SIGTERM asks every running guest to power off and the daemon exits once they have.</summary>
public sealed class DaemonStopPolicyTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vs");
    private DaemonProcess _daemon = null!;

    public async Task InitializeAsync()
    {
        var config = _dir.Combine("shutdown.hocon");
        await File.WriteAllTextAsync(config, "virt { on-stop = shutdown, on-stop-shutdown-timeout = 60s }\n");
        _daemon = await DaemonProcess.StartAsync(_dir.Combine("root"), "--config", config);
    }

    [Fact]
    public async Task The_daemon_stops_as_soon_as_its_guest_has_shut_down_not_at_the_timeout()
    {
        await using (var client = await VirtConnection.OpenAsync("qemu:///session", new VirtConnectionOptions { SocketPath = _daemon.SocketPath }))
        {
            await client.DefineAsync(TestGuest.Xml(_dir.Path, "polite"));
            await client.StartAsync(DomainRef.ByName("polite"));
        }
        await TestGuest.WaitReadyAsync(_dir.Path, "polite");

        var clock = Stopwatch.StartNew();
        _daemon.Terminate();
        Assert.Equal(0, await _daemon.WaitForExitAsync(TimeSpan.FromSeconds(50)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"virtd took {clock.Elapsed} to stop:\n{_daemon.Output}");
        Assert.Contains("virtd stopped", _daemon.Output);
        Assert.DoesNotContain("did not shut down", _daemon.Output);
        Assert.Empty(QemuReaper.FindUnder(_dir.Path));
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }
}
