using Virt.Integration.Tests.Support;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Remote;

/// <summary>
/// virtd's Akka.Remote endpoint with mutual TLS, which it requires on loopback too: a client with a trusted certificate
/// that pins the daemon's gets in; every other combination is refused. Only loopback traffic.
/// </summary>
public sealed class RemoteTlsTests : IAsyncLifetime
{
    private static readonly VirtConnectionOptions Options = new() { CallTimeout = TimeSpan.FromSeconds(60) };
    private readonly TempDirectory _dir = new("vt");
    private readonly string _host = "127.0.0.1";
    private DaemonProcess _daemon = null!;
    private TestCertificates.Issued _server = null!;
    private TestCertificates.Issued _client = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _server = TestCertificates.Create(_dir.Path, "virtd");
        _client = TestCertificates.Create(_dir.Path, "client");
        _port = RemoteSetup.FreePort();
        var config = RemoteSetup.WriteConfig(_dir.Path, _host, _port, _server.Path, _client.Thumbprint);
        _daemon = await DaemonProcess.StartAsync(_dir.Combine("root"), "--config", config);
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _dir.Dispose();
    }

    private string Uri(string certificate, string pin) =>
        $"qemu+akka://{_host}:{_port}/?cert={System.Uri.EscapeDataString(certificate)}&pin={pin}";

    [Fact]
    public async Task A_trusted_client_that_pins_the_daemon_defines_and_lists()
    {
        await using var remote = await VirtConnection.OpenAsync(Uri(_client.Path, _server.Thumbprint), Options);
        await remote.DefineAsync(TestGuest.Xml(_dir.Path, "overtls"));
        Assert.Equal("overtls", Assert.Single(await remote.ListAsync()).Name.Value);
    }

    [Theory]
    [InlineData("a client certificate the daemon does not trust")]
    [InlineData("a pin that names another daemon's certificate")]
    public async Task A_client_is_refused_with(string fault)
    {
        var stranger = TestCertificates.Create(_dir.Path, "stranger");
        var (certificate, pin) = fault.StartsWith("a client", StringComparison.Ordinal)
            ? (stranger.Path, _server.Thumbprint)
            : (_client.Path, stranger.Thumbprint);
        var e = await Assert.ThrowsAsync<VirtException>(() => VirtConnection.OpenAsync(Uri(certificate, pin), Options));
        Assert.Equal(ErrorCode.Rpc, e.Code);
        Assert.Contains("check that the daemon trusts", e.Message);
        Assert.False(_daemon.HasExited);
    }

    [Fact]
    public async Task A_client_without_tls_refuses_by_itself_even_on_loopback()
    {
        var refused = await Assert.ThrowsAsync<VirtException>(() => VirtConnection.OpenAsync($"qemu+akka://{_host}:{_port}/", Options));
        Assert.Equal(ErrorCode.OperationInvalid, refused.Code);
        Assert.Contains("requires mutual TLS, on loopback too", refused.Message);
    }

    [Fact]
    public async Task A_plain_tcp_peer_that_skips_tls_reaches_nothing_and_the_daemon_serves_on()
    {
        // What a local user without a certificate could try: speak to the port directly.
        using (var raw = new System.Net.Sockets.TcpClient())
        {
            await raw.ConnectAsync(System.Net.IPAddress.Loopback, _port);
            var stream = raw.GetStream();
            await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 1, 2, 3, 4 });
            var sink = new byte[256];
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                while (await stream.ReadAsync(sink, limit.Token) > 0)
                {
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        }
        await using var remote = await VirtConnection.OpenAsync(Uri(_client.Path, _server.Thumbprint), Options);
        Assert.Empty(await remote.ListAsync());
    }
}
