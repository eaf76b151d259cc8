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
    [InlineData("192.0.2.10", false, "needs tls = on")]
    [InlineData("0.0.0.0", false, "needs tls = on")]
    [InlineData("127.0.0.1", false, "needs tls = on")]
    [InlineData("127.0.0.1", true, "needs virt.remote.certificate")]
    public async Task The_daemon_exits_1_with_the_reason(string hostname, bool tls, string reason) =>
        await AssertRefusedAsync(RemoteSetup.WriteConfig(_dir.Path, hostname, RemoteSetup.FreePort(), tls), reason);

    [Theory]
    [InlineData("missing", "cannot load the TLS certificate")]
    [InlineData("no-key", "holds no private key")]
    [InlineData("no-trust", "needs virt.remote.trusted-thumbprints")]
    [InlineData("bad-thumbprint", "is not a SHA-1 certificate thumbprint")]
    public async Task A_tls_daemon_with_an_unusable_certificate_exits_1_with_the_reason(string fault, string reason)
    {
        var good = TestCertificates.Create(_dir.Path, "virtd");
        var (certificate, trusted) = fault switch
        {
            "missing" => (_dir.Combine("nowhere.pfx"), good.Thumbprint),
            "no-key" => (TestCertificates.WritePublicOnly(_dir.Path, "public"), good.Thumbprint),
            "no-trust" => (good.Path, null),
            _ => (good.Path, "not-a-thumbprint"),
        };
        var config = RemoteSetup.WriteConfig(_dir.Path, "127.0.0.1", RemoteSetup.FreePort(), certificate,
            trusted is null ? [] : [trusted]);
        await AssertRefusedAsync(config, reason);
    }

    private async Task AssertRefusedAsync(string config, string reason)
    {
        await using var daemon = DaemonProcess.Launch(_dir.Combine("root"), "--config", config);
        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(reason, daemon.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(daemon.SocketPath));
    }

    [Fact]
    public async Task A_client_refuses_any_host_without_tls_before_sending_anything()
    {
        foreach (var host in new[] { "192.0.2.10", "127.0.0.1" })
        {
            var e = await Assert.ThrowsAsync<VirtException>(() => VirtConnection.OpenAsync($"qemu+akka://{host}:4053/"));
            Assert.Equal(ErrorCode.OperationInvalid, e.Code);
            Assert.Contains("requires mutual TLS", e.Message);
        }
    }

    public void Dispose() => _dir.Dispose();
}
