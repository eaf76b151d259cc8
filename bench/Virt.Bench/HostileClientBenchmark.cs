using System.Diagnostics;
using System.Net.Sockets;
using Virt.Protocol.Client;
using Virt.Protocol.Wire;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// The hostile-client figures of RELIABILITY.md on the real virtd: a client that sends calls and never reads (daemon
/// RSS over VIRT_HOSTILE_SECONDS, and after it left), 10,000 pipelined calls (how many fail), and 256 idle
/// connections (whether another client still gets in).
/// </summary>
public static class HostileClientBenchmark
{
    public static async Task RunAsync()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("VIRT_HOSTILE_SECONDS"), out var s) ? s : 60;
        using var temp = new TempDirectory("vh");
        await using var daemon = await ReliabilityDaemon.StartAsync(temp.Combine("root"));
        var options = new VirtConnectionOptions { SocketPath = daemon.SocketPath, CallTimeout = TimeSpan.FromSeconds(120) };
        await using (var admin = await VirtConnection.OpenAsync("qemu:///session", options))
        {
            var xml = ReliabilityDaemon.GuestXml(temp.Path, "big").Replace("<vcpu>", $"<description>{new string('d', 200_000)}</description><vcpu>", StringComparison.Ordinal);
            await admin.DefineAsync(xml);
        }

        await NonReaderAsync(daemon, seconds);
        await PipelinedAsync(options);
        await IdleAsync(daemon, options);
    }

    private static async Task NonReaderAsync(ReliabilityDaemon daemon, int seconds)
    {
        var before = daemon.RssKiB();
        var peak = before;
        var sent = 0;
        using (var raw = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveBufferSize = 4096 })
        {
            await raw.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath));
            var body = System.Text.Json.JsonSerializer.SerializeToElement(new { domain = new { name = "big" }, inactive = false });
            var frame = FrameCodec.Encode(new WireEnvelope { Type = MessageType.Call, Serial = 1, Procedure = "domain.xml", Body = body });
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var sampler = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    peak = Math.Max(peak, daemon.RssKiB());
                    await Task.Delay(500);
                }
            });
            try
            {
                while (true)
                {
                    await raw.SendAsync(frame, SocketFlags.None, stop.Token);
                    sent++;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
            }
            await sampler;
        }
        await Task.Delay(5000);
        Console.WriteLine($"non-reading client, {seconds} s: {sent} calls of a 200 KB dumpxml sent (the rest blocked); daemon RSS " +
            $"{before / 1024.0:F1} MiB before, {peak / 1024.0:F1} MiB peak, {daemon.RssKiB() / 1024.0:F1} MiB 5 s after it left");
    }

    private static async Task PipelinedAsync(VirtConnectionOptions options)
    {
        await using var client = await VirtConnection.OpenAsync("qemu:///session", options);
        var clock = Stopwatch.StartNew();
        var calls = Enumerable.Range(0, 10_000).Select(_ => Outcome(client.ListAsync())).ToList();
        var failed = (await Task.WhenAll(calls)).Count(ok => !ok);
        Console.WriteLine($"10,000 pipelined list calls: {failed} failed, {clock.Elapsed.TotalSeconds:F1} s");

        static async Task<bool> Outcome(Task task)
        {
            try
            {
                await task;
                return true;
            }
            catch (Protocol.Errors.VirtException)
            {
                return false;
            }
        }
    }

    private static async Task IdleAsync(ReliabilityDaemon daemon, VirtConnectionOptions options)
    {
        var idle = new List<Socket>();
        try
        {
            while (idle.Count < 256)
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath));
                    idle.Add(socket);
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.TryAgain)
                {
                    // The listen backlog is full for a moment: the accept loop catches up.
                    socket.Dispose();
                    await Task.Delay(10);
                }
            }
            await Task.Delay(1000); // the accept loop takes in what the listen backlog held
            var clock = Stopwatch.StartNew();
            string outcome;
            while (true)
            {
                try
                {
                    await using var client = await VirtConnection.OpenAsync("qemu:///session", options);
                    await client.ListAsync();
                    outcome = $"another client got in after {clock.Elapsed.TotalSeconds:F1} s (idle connections are closed after first-call-timeout)";
                    break;
                }
                catch (Protocol.Errors.VirtException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(500);
                }
                catch (Protocol.Errors.VirtException e)
                {
                    outcome = $"locked out for 60 s: {e.Message}";
                    break;
                }
            }
            Console.WriteLine($"256 idle connections: {outcome}");
        }
        finally
        {
            foreach (var socket in idle)
                socket.Dispose();
        }
    }
}
