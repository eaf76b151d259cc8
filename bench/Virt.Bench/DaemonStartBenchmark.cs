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
/// Then the ReadyToRun daemon killed (-9) under 1,000 defined domains of which 20 are active (paused), and its restart
/// to the first answered list with every one reconnected.
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
        if (File.Exists(builds[1].Item2))
            await RestartWithRunningAsync(builds[1].Item2);
    }

    private const int Running = 20;

    /// <summary>1,000 defined, 20 of them running: kill -9, then the restart to a list that shows all 20 running again.</summary>
    private static async Task RestartWithRunningAsync(string dll)
    {
        using var dir = new TempDirectory("vdr");
        var root = dir.Combine("root");
        var configs = Path.Combine(root, "etc", "qemu");
        WriteConfigs(configs, 1_000 - Running);
        for (var i = 0; i < Running; i++)
        {
            var image = dir.Combine($"run{i:D2}.img");
            Supervisor.TestGuest.TestGuestImage.Write(image); // one image each: QEMU locks a writable image
            File.WriteAllText(Path.Combine(configs, $"run{i:D2}.xml"), BenchGuest.DomainXml($"run{i:D2}", image));
        }
        var restarts = new List<double>();
        long rss = 0;
        try
        {
            using (var first = Launch(dll, root))
            {
                await using (var client = await ConnectAsync(root))
                {
                    // Paused: the test guest polls its serial port, and 20 spinning TCG guests on 2 cores starve everything.
                    for (var i = 0; i < Running; i++)
                        await client.StartAsync(Protocol.Api.DomainRef.ByName($"run{i:D2}"), Protocol.Api.DomainCreateFlags.StartPaused);
                }
                first.Kill();
                await first.WaitForExitAsync();
            }
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                using var daemon = Launch(dll, root);
                try
                {
                    await using var client = await ConnectAsync(root);
                    var listed = await client.ListAsync();
                    restarts.Add(clock.Elapsed.TotalMilliseconds);
                    rss = Math.Max(rss, ProcessMemory.RssKiB(daemon.Id));
                    var active = listed.Count(d => d.Active);
                    if (listed.Count != 1_000 || active != Running)
                        throw new InvalidOperationException($"listed {listed.Count} domains with {active} running, expected 1000 with {Running}");
                }
                finally
                {
                    daemon.Kill();
                    await daemon.WaitForExitAsync();
                }
            }
        }
        finally
        {
            using var last = Launch(dll, root);
            await using (var client = await ConnectAsync(root))
            {
                foreach (var domain in (await client.ListAsync()).Where(d => d.Active))
                    await client.DestroyAsync(Protocol.Api.DomainRef.ByName(domain.Name.Value));
            }
            last.Kill();
            await last.WaitForExitAsync();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ReadyToRun, 1,000 defined with {Running} running, restart after kill -9: {Median(restarts):F0} ms to the first list (all {Running} reconnected), RSS {rss / 1024.0:F0} MiB"));
    }

    private static Process Launch(string dll, string root)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--root");
        info.ArgumentList.Add(root);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static Task<VirtConnection> ConnectAsync(string root) =>
        VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = Path.Combine(root, "run", "virt-sock"), RestartWait = TimeSpan.FromSeconds(30) });

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
        var clock = Stopwatch.StartNew();
        using var process = Launch(dll, root);
        try
        {
            await using var client = await ConnectAsync(root);
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
