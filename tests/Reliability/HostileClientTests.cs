using System.Net.Sockets;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Wire;
using Virt.TestSupport;

namespace Virt.Reliability.Tests;

/// <summary>What a local client can make the real virtd hold is bounded, and a stopped daemon is noticed in seconds.</summary>
public sealed class HostileClientTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vh");
    private DaemonProcess _daemon = null!;

    public async Task InitializeAsync() => _daemon = await DaemonProcess.StartAsync(_dir.Combine("root"));

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_client_that_sends_calls_and_never_reads_keeps_the_daemon_small()
    {
        // A domain whose XML is some 200 KB: every dumpxml reply is that big.
        var xml = $"<domain type='qemu'><name>big</name><memory>65536</memory><description>{new string('d', 200_000)}</description>" +
                  "<os><type arch='x86_64' machine='pc'>hvm</type></os></domain>";
        var define = await NativeVirt.RunAsync(["-c", $"qemu:///session?socket={_daemon.SocketPath}", "define", await WriteAsync("big.xml", xml)]);
        Assert.Equal(0, define.Exit);
        var before = ProcessMemory.RssKiB(_daemon.Pid);

        using var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        raw.ReceiveBufferSize = 4096;
        await raw.ConnectAsync(new UnixDomainSocketEndPoint(_daemon.SocketPath));
        var body = System.Text.Json.JsonSerializer.SerializeToElement(new { domain = new { name = "big" }, inactive = false });
        var frame = FrameCodec.Encode(new WireEnvelope { Type = MessageType.Call, Serial = 1, Procedure = "domain.xml", Body = body });
        // 10,000 calls asking for 2 GB of replies; the writes block once the daemon stops reading.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(8));
        var sent = 0;
        try
        {
            for (; sent < 10_000; sent++)
                await raw.SendAsync(frame, SocketFlags.None, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        var peak = ProcessMemory.RssKiB(_daemon.Pid);
        Assert.True(sent < 10_000, "the daemon read every call although none of its replies was read");
        Assert.True(peak - before < 96 * 1024, $"RSS grew from {before} KiB to {peak} KiB for a client that reads nothing ({sent} calls sent)");

        // The daemon still serves others meanwhile.
        var list = await NativeVirt.RunAsync(["-c", $"qemu:///session?socket={_daemon.SocketPath}", "list", "--all", "--name"]);
        Assert.Equal("big", list.Out.Trim());
    }

    [Fact]
    public async Task A_stopped_daemon_is_reported_within_seconds_not_after_the_call_timeout()
    {
        var uri = $"qemu:///session?socket={_daemon.SocketPath}";
        Signal(_daemon.Pid, 19); // SIGSTOP: the kernel still accepts connections for it
        try
        {
            var started = DateTime.UtcNow;
            var result = await NativeVirt.RunAsync(["-c", uri, "list", "--all"]);
            var took = DateTime.UtcNow - started;
            Assert.Equal(1, result.Exit);
            Assert.Contains("stopped or hung", result.Err);
            Assert.True(took < TimeSpan.FromSeconds(30), $"noticed only after {took.TotalSeconds:0} s");
        }
        finally
        {
            Signal(_daemon.Pid, 18); // SIGCONT
        }
        Assert.Equal(0, (await NativeVirt.RunAsync(["-c", uri, "list", "--all"])).Exit);
    }

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = _dir.Combine(name);
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    private static void Signal(int pid, int signal) => _ = Kill(pid, signal);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);
}
