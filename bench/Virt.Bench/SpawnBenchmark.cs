using System.Diagnostics;
using System.Net.Sockets;
using Virt.Supervisor.Processes;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// Spawn to QMP ready: QemuProcess.LaunchAsync (log header, posix_spawn into its own session, pidfd watch,
/// greeting and qmp_capabilities) against a bare QEMU with the same argv and environment, started with
/// Process.Start and timed until qmp_capabilities is answered.
/// </summary>
public static class SpawnBenchmark
{
    private const string Emulator = "qemu-system-x86_64";
    private const int Runs = 25;

    public static async Task RunAsync()
    {
        using var dir = new TempDirectory("vb");
        var monitor = dir.Combine("mon.sock");
        string[] args =
        [
            "-machine", "pc,accel=tcg", "-m", "32", "-S", "-nodefaults", "-no-user-config", "-display", "none",
            "-chardev", $"socket,id=mon,path={monitor},server=on,wait=off", "-mon", "chardev=mon,mode=control",
        ];
        var spec = new QemuLaunchSpec { Emulator = Emulator, Arguments = args, LogPath = dir.Combine("bench.log"), MonitorPath = monitor };

        // One warm-up each so page cache and JIT do not land in the first sample.
        await LaunchOnceAsync(spec);
        BareOnce(args, monitor);
        var ours = new List<double>();
        var bare = new List<double>();
        var greeting = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            ours.Add(await LaunchOnceAsync(spec));
            var (greeted, ready) = BareOnce(args, monitor);
            greeting.Add(greeted);
            bare.Add(ready);
        }
        var oursMedian = Median(ours);
        var bareMedian = Median(bare);
        Console.WriteLine($"runs: {Runs} each, machine pc (TCG), -S");
        Console.WriteLine($"QemuProcess.LaunchAsync      median {oursMedian,7:F1} ms  (min {ours.Min():F1}, max {ours.Max():F1})");
        Console.WriteLine($"bare spawn -> QMP ready      median {bareMedian,7:F1} ms  (min {bare.Min():F1}, max {bare.Max():F1})");
        Console.WriteLine($"  (bare spawn -> greeting    median {Median(greeting),7:F1} ms: what the old bench timed)");
        Console.WriteLine($"overhead                     {oursMedian - bareMedian,7:F1} ms  ({(oursMedian / bareMedian - 1) * 100:F0} %)");
    }

    private static async Task<double> LaunchOnceAsync(QemuLaunchSpec spec)
    {
        var clock = Stopwatch.StartNew();
        var qemu = await QemuProcess.LaunchAsync(spec);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        await qemu.KillAsync(TimeSpan.Zero);
        await qemu.DisposeAsync();
        return elapsed;
    }

    /// <summary>
    /// The same argv and environment, started by Process.Start, and a synchronous client: connect retried every
    /// millisecond, the greeting, then qmp_capabilities answered (QMP is ready only then: QEMU greets from its monitor
    /// thread while its main loop may still be setting up the machine). Returns both times.
    /// </summary>
    private static (double Greeting, double Ready) BareOnce(string[] args, string monitor)
    {
        File.Delete(monitor);
        var info = new ProcessStartInfo(Emulator) { UseShellExecute = false };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        try
        {
            while (true)
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"bare QEMU exited with {process.ExitCode}");
                using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    socket.Connect(new UnixDomainSocketEndPoint(monitor));
                }
                catch (SocketException)
                {
                    Thread.Sleep(1); // not there yet, or bound but not yet listening
                    continue;
                }
                using var stream = new NetworkStream(socket);
                using var reader = new StreamReader(stream);
                var greeting = reader.ReadLine();
                if (greeting?.Contains("\"QMP\"", StringComparison.Ordinal) != true)
                    throw new InvalidOperationException($"not a greeting: {greeting}");
                var greeted = clock.Elapsed.TotalMilliseconds;
                stream.Write("{\"execute\":\"qmp_capabilities\"}\n"u8);
                var reply = reader.ReadLine();
                if (reply?.Contains("\"return\"", StringComparison.Ordinal) != true)
                    throw new InvalidOperationException($"qmp_capabilities failed: {reply}");
                return (greeted, clock.Elapsed.TotalMilliseconds);
            }
        }
        finally
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
