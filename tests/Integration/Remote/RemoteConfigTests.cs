using Virt.Integration.Tests.Support;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Remote;

/// <summary>virtd refuses an Akka.Remote endpoint it cannot serve safely, before it starts anything.</summary>
public sealed class RemoteConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new("vr");

    [Theory]
    [InlineData("192.0.2.10", false, "requires TLS")]
    [InlineData("0.0.0.0", false, "requires TLS")]
    [InlineData("127.0.0.1", true, "TLS for Akka.Remote is not supported yet")]
    public async Task The_daemon_exits_1_with_the_reason(string hostname, bool tls, string reason)
    {
        var config = RemoteSetup.WriteConfig(_dir.Path, hostname, RemoteSetup.FreePort(), tls);
        await using var daemon = DaemonProcess.Launch(_dir.Combine("root"), "--config", config);
        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(reason, daemon.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(daemon.SocketPath));
    }

    [Fact]
    public async Task A_client_refuses_a_non_loopback_host_without_sending_anything()
    {
        var e = await Assert.ThrowsAsync<VirtException>(() => VirtConnection.OpenAsync("qemu+akka://192.0.2.10:4053/"));
        Assert.Equal(ErrorCode.OperationInvalid, e.Code);
        Assert.Contains("requires TLS", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}
