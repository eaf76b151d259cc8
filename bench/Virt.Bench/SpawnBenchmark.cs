using System.Diagnostics;
using System.Net.Sockets;
using Virt.Supervisor.Processes;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// Spawn to QMP ready: QemuProcess.LaunchAsync (log header, posix_spawn into its own session, pidfd watch,
/// greeting and qmp_capabilities) against a bare QEMU with the same argv, started with Process.Start
/// and timed until its socket accepts and the greeting line arrives.
/// </summary>
public static class SpawnBenchmark
{
    private const string Emulator = "qemu-system-x86_64";
    private const int Runs = 15;

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
        await BareOnceAsync(args, monitor);
        var ours = new List<double>();
        var bare = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            ours.Add(await LaunchOnceAsync(spec));
            bare.Add(await BareOnceAsync(args, monitor));
        }
        var oursMedian = Median(ours);
        var bareMedian = Median(bare);
        Console.WriteLine($"runs: {Runs} each, machine pc (TCG), -S");
        Console.WriteLine($"QemuProcess.LaunchAsync   median {oursMedian,7:F1} ms  (min {ours.Min():F1}, max {ours.Max():F1})");
        Console.WriteLine($"bare spawn + greeting     median {bareMedian,7:F1} ms  (min {bare.Min():F1}, max {bare.Max():F1})");
        Console.WriteLine($"overhead                  {oursMedian - bareMedian,7:F1} ms  ({(oursMedian / bareMedian - 1) * 100:F0} %)");
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

    private static async Task<double> BareOnceAsync(string[] args, string monitor)
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
                if (File.Exists(monitor))
                {
                    try
                    {
                        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(monitor));
                        using var reader = new StreamReader(new NetworkStream(socket));
                        var greeting = await reader.ReadLineAsync();
                        if (greeting?.Contains("\"QMP\"", StringComparison.Ordinal) == true)
                            return clock.Elapsed.TotalMilliseconds;
                    }
                    catch (SocketException)
                    {
                        // bound but not yet listening
                    }
                }
                await Task.Delay(2);
            }
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
