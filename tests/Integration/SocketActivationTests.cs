using Virt.Integration.Tests.Support;
using Virt.Protocol.Client;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// systemd's socket activation: the socket exists before virtd does, a client that connects meanwhile waits in its
/// backlog and is answered once the daemon is up, and the socket outlives the daemon (systemd owns it).
/// </summary>
public sealed class SocketActivationTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vsa");
    private DaemonProcess? _daemon;

    public Task InitializeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_client_of_a_socket_passed_by_systemd_is_answered_once_the_daemon_is_up_and_the_socket_stays()
    {
        var root = _dir.Combine("root");
        _daemon = DaemonProcess.LaunchSocketActivated(root);
        var socket = Path.Combine(root, "run", "virt-sock");
        for (var i = 0; i < 500 && !_daemon.Output.Contains("activator: listening", StringComparison.Ordinal); i++)
            await Task.Delay(10);
        Assert.True(File.Exists(socket), $"the activator made no socket:\n{_daemon.Output}");
        Assert.DoesNotContain("ready on", _daemon.Output); // the daemon is not up yet: the call below must wait for it

        // No retry: the connect succeeds at once (the socket listens), the call waits for the daemon.
        await using (var client = await VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = socket, RestartWait = TimeSpan.Zero, CallTimeout = TimeSpan.FromSeconds(60) }))
        {
            Assert.Empty(await client.ListAsync());
        }
        Assert.Contains("passed by systemd", _daemon.Output);

        _daemon.Terminate();
        Assert.Equal(0, await _daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(File.Exists(socket), "the daemon removed the socket systemd owns");
    }

    [Fact]
    public async Task A_socket_passed_for_a_path_the_daemon_does_not_serve_is_named_in_a_warning_and_closed()
    {
        var root = _dir.Combine("root");
        var stray = _dir.Combine("stray-sock");
        _daemon = DaemonProcess.LaunchSocketActivated(root, stray);
        await using (var client = await VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = Path.Combine(root, "run", "virt-sock"), CallTimeout = TimeSpan.FromSeconds(60) }))
        {
            Assert.Empty(await client.ListAsync());
        }
        Assert.Contains($"systemd passed a socket for {stray}, which this daemon does not serve", _daemon.Output);
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        var refused = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(() => probe.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(stray)));
        Assert.Equal(System.Net.Sockets.SocketError.ConnectionRefused, refused.SocketErrorCode);
        _daemon.Terminate();
        Assert.Equal(0, await _daemon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
            await _daemon.DisposeAsync();
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }
}
