using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Virt.Protocol.Client;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// virtd from spawn to the first answered call (a list of every domain), and its resident memory then, with 0, 1,000 and
/// 10,000 defined domains (none running): a cold start on a fresh tree, then a restart on the same one. Both builds:
/// the JIT build (src/Host/bin/Release/net10.0) and the ReadyToRun publish (scripts/publish-virtd.sh) that ./virtd runs.
/// </summary>
public static class DaemonStartBenchmark
{
    private const int Runs = 5;

    public static async Task RunAsync()
    {
        var builds = new[]
        {
            ("JIT build", Path.Combine(RepoPaths.Root, "src", "Host", "bin", "Release", "net10.0", "virtd.dll")),
            ("ReadyToRun", Path.Combine(RepoPaths.Root, "src", "Host", "bin", "Release", "ready", "virtd.dll")),
        };
        Console.WriteLine($"{"build",-11} {"domains",8} {"cold ms",8} {"restart ms",11} {"RSS MiB",8} {"RSS after restart",18}");
        foreach (var (label, dll) in builds)
        {
            if (!File.Exists(dll))
            {
                Console.WriteLine($"{label}: {dll} missing (scripts/setup.sh makes it)");
                continue;
            }
            foreach (var count in new[] { 0, 1_000, 10_000 })
            {
                var cold = new List<double>();
                var restart = new List<double>();
                long rss = 0, rssRestart = 0;
                for (var run = 0; run < (count == 10_000 ? 2 : Runs); run++)
                {
                    using var dir = new TempDirectory("vds");
                    var root = dir.Combine("root");
                    WriteConfigs(Path.Combine(root, "etc", "qemu"), count);
                    var (ms, kib) = await StartAndAskAsync(dll, root, count);
                    cold.Add(ms);
                    rss = Math.Max(rss, kib);
                    (ms, kib) = await StartAndAskAsync(dll, root, count);
                    restart.Add(ms);
                    rssRestart = Math.Max(rssRestart, kib);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label,-11} {count,8} {Median(cold),8:F0} {Median(restart),11:F0} {rss / 1024.0,8:F0} {rssRestart / 1024.0,18:F0}"));
            }
        }
    }

    private static void WriteConfigs(string dir, int count)
    {
        // The daemon refuses a tree others may read; its own directories are 0700.
        const UnixFileMode Owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        var root = Path.GetDirectoryName(Path.GetDirectoryName(dir))!;
        Directory.CreateDirectory(root, Owner);
        Directory.CreateDirectory(Path.GetDirectoryName(dir)!, Owner);
        Directory.CreateDirectory(dir, Owner);
        for (var i = 0; i < count; i++)
        {
            var name = $"vm{i:D5}";
            File.WriteAllText(Path.Combine(dir, name + ".xml"), SmallDomains.Xml(name, Guid.NewGuid()));
        }
    }

    /// <summary>Spawn to the first answered list, and the daemon's RSS right then; the daemon is stopped after.</summary>
    private static async Task<(double Ms, long RssKiB)> StartAndAskAsync(string dll, string root, int expected)
    {
        var socket = Path.Combine(root, "run", "virt-sock");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--root");
        info.ArgumentList.Add(root);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await using var client = await VirtConnection.OpenAsync("qemu:///session",
                new VirtConnectionOptions { SocketPath = socket, RestartWait = TimeSpan.FromSeconds(30) });
            var listed = await client.ListAsync();
            var ms = clock.Elapsed.TotalMilliseconds;
            if (listed.Count != expected)
                throw new InvalidOperationException($"listed {listed.Count} domains, expected {expected}");
            return (ms, ProcessMemory.RssKiB(process.Id));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(); // SIGKILL: a restart after a crash, which is what a restart must survive anyway
                await process.WaitForExitAsync();
            }
        }
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
