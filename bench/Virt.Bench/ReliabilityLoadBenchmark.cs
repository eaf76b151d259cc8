using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// The real daemon under load: N clients x M read calls while other clients start and destroy VMs (p50/p99 per
/// call kind, daemon RSS before/during/after); and a subscriber that never reads while events pour out
/// (is it disconnected, does RSS stay flat, do other clients wait).
/// </summary>
public static class ReliabilityLoadBenchmark
{
    private static int Env(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) && v > 0 ? v : fallback;

    public static async Task RunLoadAsync()
    {
        var readers = Env("VIRT_LOAD_CLIENTS", 8);
        var calls = Env("VIRT_LOAD_CALLS", 2000);
        var cyclers = Env("VIRT_LOAD_CYCLERS", 2);
        using var temp = new TempDirectory("vl");
        await using var daemon = await ReliabilityDaemon.StartAsync(temp.Combine("root"));
        var options = new VirtConnectionOptions { SocketPath = daemon.SocketPath, CallTimeout = TimeSpan.FromSeconds(60) };
        await using (var setup = await VirtConnection.OpenAsync("qemu:///session", options))
        {
            for (var i = 0; i < 5; i++)
                await setup.DefineAsync(ReliabilityDaemon.GuestXml(temp.Path, $"vm{i}"));
        }
        var rssBefore = daemon.RssKiB();
        var rssPeak = rssBefore;
        var latencies = new Dictionary<string, List<double>>();
        void Record(string kind, double ms)
        {
            lock (latencies)
            {
                if (!latencies.TryGetValue(kind, out var list))
                    latencies[kind] = list = [];
                list.Add(ms);
            }
        }

        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                rssPeak = Math.Max(rssPeak, daemon.RssKiB());
                await Task.Delay(100);
            }
        });
        var clock = Stopwatch.StartNew();
        var readerTasks = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
        {
            await using var client = await VirtConnection.OpenAsync("qemu:///session", options);
            for (var c = 0; c < calls; c++)
            {
                var vm = DomainRef.ByName($"vm{c % 5}");
                var sw = Stopwatch.StartNew();
                switch (c % 3)
                {
                    case 0: await client.LookupAsync(vm); Record("lookup", sw.Elapsed.TotalMilliseconds); break;
                    case 1: await client.GetInfoAsync(vm); Record("info", sw.Elapsed.TotalMilliseconds); break;
                    default: await client.ListAsync(); Record("list", sw.Elapsed.TotalMilliseconds); break;
                }
            }
        })).ToList();
        var cyclerTasks = Enumerable.Range(0, cyclers).Select(i => Task.Run(async () =>
        {
            await using var client = await VirtConnection.OpenAsync("qemu:///session", options);
            var vm = DomainRef.ByName($"vm{i}");
            var cycles = 0;
            while (!Task.WhenAll(readerTasks).IsCompleted)
            {
                var sw = Stopwatch.StartNew();
                await client.StartAsync(vm);
                Record("start", sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                await client.DestroyAsync(vm);
                Record("destroy", sw.Elapsed.TotalMilliseconds);
                cycles++;
            }
            return cycles;
        })).ToList();
        await Task.WhenAll(readerTasks);
        var totalCycles = (await Task.WhenAll(cyclerTasks)).Sum();
        var elapsed = clock.Elapsed;
        done.Cancel();
        await sampler;
        GC.Collect();
        await Task.Delay(2000);
        var rssAfter = daemon.RssKiB();

        Console.WriteLine($"load: {readers} clients x {calls} reads, {cyclers} clients start/destroy ({totalCycles} cycles), {elapsed.TotalSeconds:F1} s, " +
            $"{readers * calls / elapsed.TotalSeconds:F0} reads/s");
        foreach (var (kind, list) in latencies.OrderBy(k => k.Key, StringComparer.Ordinal))
            Console.WriteLine($"  {kind,-8} n={list.Count,6}  p50 {Percentile(list, 0.50),8:F2} ms  p99 {Percentile(list, 0.99),8:F2} ms  max {list.Max(),8:F2} ms");
        Console.WriteLine($"  daemon RSS: before {rssBefore / 1024.0:F1} MiB, peak during {rssPeak / 1024.0:F1} MiB, after {rssAfter / 1024.0:F1} MiB");
    }

    public static async Task RunStuckConsumerAsync()
    {
        var cycles = Env("VIRT_STUCK_CYCLES", 3000);
        using var temp = new TempDirectory("vl");
        var config = temp.Combine("bound.hocon");
        await File.WriteAllTextAsync(config, $"virt {{ max-queued-events = {Env("VIRT_STUCK_BOUND", 1024)} }}\n");
        await using var daemon = await ReliabilityDaemon.StartAsync(temp.Combine("root"), config);
        var options = new VirtConnectionOptions { SocketPath = daemon.SocketPath, CallTimeout = TimeSpan.FromSeconds(60) };

        // VIRT_STUCK_CONTROL=1 runs the same churn without the stuck client, to tell its cost from the churn's.
        var control = Environment.GetEnvironmentVariable("VIRT_STUCK_CONTROL") == "1";
        using var stuck = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveBufferSize = 4096 };
        if (!control)
        {
            await stuck.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath));
            await stuck.SendAsync(Frame("""{"version":1,"type":"call","serial":1,"procedure":"events.subscribe","body":{}}"""));
            await ReadFrameAsync(stuck); // the subscription's confirmation; after it, this client never reads again
        }

        await using var writer = await VirtConnection.OpenAsync("qemu:///session", options);
        await using var other = await VirtConnection.OpenAsync("qemu:///session", options);
        await writer.DefineAsync(ReliabilityDaemon.GuestXml(temp.Path, "probe"));
        var baseline = new List<double>();
        for (var i = 0; i < 200; i++)
            baseline.Add(await Timed(() => other.LookupAsync(DomainRef.ByName("probe"))));

        var rss = new List<(double Seconds, long KiB)>();
        var clock = Stopwatch.StartNew();
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                rss.Add((clock.Elapsed.TotalSeconds, daemon.RssKiB()));
                await Task.Delay(200);
            }
        });
        var during = new List<double>();
        var prober = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
                during.Add(await Timed(() => other.LookupAsync(DomainRef.ByName("probe"))));
        });
        for (var i = 0; i < cycles; i++)
        {
            await writer.DefineAsync(ReliabilityDaemon.GuestXml(temp.Path, "churn"));
            await writer.UndefineAsync(DomainRef.ByName("churn"));
        }
        var generated = clock.Elapsed;
        done.Cancel();
        await Task.WhenAll(sampler, prober);

        // Drain what the stuck client was sent: a disconnected client ends with EOF, a kept one would block.
        var frames = 0;
        var disconnected = false;
        using (var drainTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            if (!control)
            {
                try
                {
                    while (await ReadFrameAsync(stuck, drainTimeout.Token))
                        frames++;
                    disconnected = true;
                }
                catch (OperationCanceledException)
                {
                }
                catch (SocketException)
                {
                    disconnected = true;
                }
            }
        var half = rss.Count / 2;
        var slope = Slope(rss.Skip(half).ToList());
        Console.WriteLine($"stuck consumer: {cycles * 2} events in {generated.TotalSeconds:F1} s; {(control ? "control run, no stuck client" : $"stuck client {(disconnected ? "disconnected" : "STILL CONNECTED")} after {frames} frames")}");
        Console.WriteLine($"  daemon RSS: start {rss.First().KiB / 1024.0:F1} MiB, max {rss.Max(r => r.KiB) / 1024.0:F1} MiB, end {rss.Last().KiB / 1024.0:F1} MiB, " +
            $"slope over the second half {slope / 1024.0 * 60:F2} MiB/min");
        Console.WriteLine($"  other client's lookup: before p50 {Percentile(baseline, 0.5):F2} ms p99 {Percentile(baseline, 0.99):F2} ms; " +
            $"during p50 {Percentile(during, 0.5):F2} ms p99 {Percentile(during, 0.99):F2} ms (n={during.Count})");
    }

    private static async Task<double> Timed(Func<Task> call)
    {
        var sw = Stopwatch.StartNew();
        await call();
        return sw.Elapsed.TotalMilliseconds;
    }

    private static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        var frame = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    private static async Task<bool> ReadFrameAsync(Socket socket, CancellationToken ct = default)
    {
        var header = new byte[4];
        if (!await ReadExactly(socket, header, ct))
            return false;
        return await ReadExactly(socket, new byte[BinaryPrimitives.ReadUInt32BigEndian(header)], ct);
    }

    private static async Task<bool> ReadExactly(Socket socket, byte[] buffer, CancellationToken ct)
    {
        var got = 0;
        while (got < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, ct);
            if (n == 0)
                return false;
            got += n;
        }
        return true;
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    /// <summary>Least-squares slope in KiB per second.</summary>
    private static double Slope(List<(double X, long Y)> points)
    {
        if (points.Count < 2)
            return 0;
        var mx = points.Average(p => p.X);
        var my = points.Average(p => (double)p.Y);
        var num = points.Sum(p => (p.X - mx) * (p.Y - my));
        var den = points.Sum(p => (p.X - mx) * (p.X - mx));
        return den == 0 ? 0 : num / den;
    }
}
