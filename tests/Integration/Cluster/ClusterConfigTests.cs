using Virt.Integration.Tests.Remote;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Cluster;

/// <summary>virtd refuses a cluster it cannot join safely, naming the setting, before it listens anywhere.</summary>
public sealed class ClusterConfigTests : IDisposable
{
    private readonly TempDirectory _dir = new("vcc");

    [Theory]
    [InlineData("tls = off", "seed-nodes = [\"127.0.0.1:4054\"]", "needs virt.remote.tls = on")]
    [InlineData("tls = on, certificate = CERT, trusted-thumbprints = [PIN]", "seed-nodes = []", "virt.cluster.seed-nodes is empty")]
    [InlineData("tls = on, certificate = CERT, trusted-thumbprints = [PIN]", "seed-nodes = [\"no-port\"]", "entry 'no-port' is not HOST:PORT")]
    [InlineData("tls = on, certificate = CERT, trusted-thumbprints = [PIN]", "seed-nodes = [\"127.0.0.1:4054\"], node-name = \"two words\"", "must be a word without spaces")]
    [InlineData("enabled = on, port = 4999, tls = on, certificate = CERT, trusted-thumbprints = [PIN]", "seed-nodes = [\"127.0.0.1:4054\"]", "virt.remote.port 4999 and virt.cluster.port")]
    public async Task The_daemon_exits_1_naming_the_setting(string remote, string cluster, string reason)
    {
        var certificate = TestCertificates.Create(_dir.Path, "node");
        var config = _dir.Combine("cluster.hocon");
        await File.WriteAllTextAsync(config, $$"""
            virt.remote { {{remote.Replace("CERT", $"\"{certificate.Path}\"").Replace("PIN", $"\"{certificate.Thumbprint}\"")}} }
            virt.cluster { enabled = on, port = {{RemoteSetup.FreePort()}}, {{cluster}} }
            """);
        await using var daemon = DaemonProcess.Launch(_dir.Combine("root"), "--config", config);
        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains(reason, daemon.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(daemon.SocketPath));
    }

    public void Dispose() => _dir.Dispose();
}
