using System.Diagnostics;
using System.Globalization;
using Virt.Supervisor.Qmp;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>query-status round trips to a real paused QEMU over its QMP UNIX socket: median and p99.</summary>
public static class QmpRoundTripBenchmark
{
    private const int Warmup = 200;
    private const int Iterations = 5000;

    public static async Task RunAsync()
    {
        using var dir = new TempDirectory("vb");
        var socket = dir.Combine("qmp.sock");
        var info = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-machine", "pc", "-accel", "tcg", "-S", "-nodefaults", "-display", "none",
                     "-qmp", $"unix:{socket},server=on,wait=off" })
            info.ArgumentList.Add(arg);
        using var qemu = Process.Start(info) ?? throw new InvalidOperationException("qemu did not start");
        qemu.ErrorDataReceived += (_, _) => { };
        qemu.BeginErrorReadLine();
        try
        {
            var spawned = Stopwatch.StartNew();
            while (!File.Exists(socket))
            {
                if (qemu.HasExited)
                    throw new InvalidOperationException($"qemu exited with {qemu.ExitCode}");
                await Task.Delay(1);
            }
            await using var client = await QmpClient.ConnectAsync(socket);
            Console.WriteLine($"spawn to QMP ready: {Ms(spawned.Elapsed)}");

            for (var i = 0; i < Warmup; i++)
                await client.ExecuteAsync("query-status");
            var samples = new double[Iterations];
            var total = Stopwatch.StartNew();
            for (var i = 0; i < Iterations; i++)
            {
                var start = Stopwatch.GetTimestamp();
                await client.ExecuteAsync("query-status");
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            total.Stop();
            Array.Sort(samples);
            Console.WriteLine($"query-status round trips: {Iterations} (after {Warmup} warm-up)");
            Console.WriteLine($"  median {Ms(samples[Iterations / 2])}  p99 {Ms(samples[(int)(Iterations * 0.99)])}  max {Ms(samples[^1])}");
            Console.WriteLine($"  throughput {(Iterations / total.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture)} commands/s (sequential)");
        }
        finally
        {
            if (!qemu.HasExited)
                qemu.Kill();
            await qemu.WaitForExitAsync();
        }
    }

    private static string Ms(TimeSpan span) => Ms(span.TotalMilliseconds);

    private static string Ms(double ms) => ms.ToString("0.000", CultureInfo.InvariantCulture) + " ms";
}
