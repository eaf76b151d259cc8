using System.Diagnostics;
using Virt.Cli;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using Virt.Protocol.Events;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Bench;

/// <summary>
/// cli-format: `virt list` table and JSON for N domains, in-process (mean µs).
/// cli-startup: wall time of the real `virt` process (the native one users run; its JIT companion for comparison):
/// version, list with no daemon, list against a private virtd.
/// </summary>
public static class CliBenchmark
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);
    private const int Runs = 15;

    public static Task RunFormat()
    {
        Console.WriteLine($"{"case",-24} {"iterations",10} {"mean µs",10}");
        foreach (var count in new[] { 10, 100, 1000 })
        {
            var domains = Enumerable.Range(0, count).Select(Domain).ToList();
            Measure($"list table {count}", () => DomainText.List(domains, ListView.Default));
            Measure($"list json {count}", () => DomainJson.List(domains));
        }
        return Task.CompletedTask;
    }

    private static DomainSummary Domain(int i) => i % 3 == 0
        ? new(new DomainName($"guest-{i:D5}"), new DomainUuid(Guid.NewGuid()), null, DomainState.Shutoff, (int)ShutoffReason.Shutdown, true, false)
        : new(new DomainName($"guest-{i:D5}"), new DomainUuid(Guid.NewGuid()), i, DomainState.Running, (int)RunningReason.Booted, true, i % 2 == 0);

    private static void Measure(string name, Func<string> work)
    {
        for (var i = 0; i < 50; i++)
            work();
        var iterations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Budget)
        {
            work();
            iterations++;
        }
        Console.WriteLine($"{name,-24} {iterations,10} {clock.Elapsed.TotalMicroseconds / iterations,10:F1}");
    }

    public static async Task RunStartupAsync()
    {
        using var dir = new TempDirectory("vcb");
        var home = Directory.CreateDirectory(dir.Combine("home")).FullName;
        var xdg = Directory.CreateDirectory(dir.Combine("xdg")).FullName;
        File.SetUnixFileMode(xdg, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // virtd refuses a group-readable $XDG_RUNTIME_DIR/virt, so it is made private first.
        Directory.CreateDirectory(Path.Combine(xdg, "virt"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string> { ["HOME"] = home, ["XDG_RUNTIME_DIR"] = xdg };

        Console.WriteLine($"{"command",-32} {"runs",5} {"median ms",10} {"min ms",8}");
        await TimeAsync("virt version", ["version"], environment);
        await TimeAsync("virt version (JIT companion)", ["version"], environment, Path.Combine(AppContext.BaseDirectory, "virt"));
        await TimeAsync("virt list (no daemon)", ["list"], environment);

        using var daemon = Process.Start(Start(Path.Combine(AppContext.BaseDirectory, "virtd"), [], environment)) ?? throw new InvalidOperationException("virtd did not start");
        try
        {
            // virtd logs "ready on SOCKET" (on stdout or stderr, by its logging setup) once it accepts connections.
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Both streams are drained for the daemon's whole life, so it never blocks on a full pipe.
            _ = new[] { daemon.StandardOutput, daemon.StandardError }.Select(async reader =>
            {
                while (await reader.ReadLineAsync() is { } line)
                    if (line.Contains(" ready on ", StringComparison.Ordinal))
                        ready.TrySetResult();
            }).ToArray();
            var exited = daemon.WaitForExitAsync();
            if (await Task.WhenAny(ready.Task, exited) == exited)
                throw new InvalidOperationException($"virtd exited ({daemon.ExitCode}) before it was ready");
            await TimeAsync("virt list (virtd, 0 domains)", ["list", "--all"], environment);
            await TimeAsync("virt uri (virtd, connect only)", ["uri"], environment);
        }
        finally
        {
            daemon.Kill();
            await daemon.WaitForExitAsync();
        }
    }

    private static ProcessStartInfo Start(string path, string[] args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment)
            start.Environment[name] = value;
        return start;
    }

    private static async Task TimeAsync(string name, string[] args, IReadOnlyDictionary<string, string> environment, string? program = null)
    {
        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using var process = Process.Start(Start(program ?? VirtProgram.Path, args, environment))!;
            await Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync(), process.WaitForExitAsync());
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        Console.WriteLine($"{name,-32} {Runs,5} {times[Runs / 2],10:F0} {times[0],8:F0}");
    }
}
