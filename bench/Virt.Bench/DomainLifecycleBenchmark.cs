using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Virt.Actors.Config;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Bench;

/// <summary>
/// domain-lifecycle: the daemon side of `virt start` and `virt destroy` without the CLI or the socket: StartDomain
/// and DestroyDomain asked of the registry in one ActorSystem with the test guest, next to a bare QEMU started
/// to a running guest with QMP answering, and killed with SIGTERM until reaped.
/// </summary>
public static class DomainLifecycleBenchmark
{
    private const int Runs = 20;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync()
    {
        using var temp = new TempDirectory("vlife");
        var image = temp.Combine("guest.img");
        TestGuestImage.Write(image);
        var (bareStart, bareDestroy) = await BareAsync(temp, image);

        var settings = VirtRuntimeSettings.ForConfigDirectory(temp.Combine("etc", "qemu")) with { Autostart = false };
        var runtime = new DomainRuntime(settings);
        var system = ActorSystem.Create("lifecycle", "akka.loglevel = WARNING");
        try
        {
            var registry = system.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(settings.Paths.ConfigDir), runtime), "domains");
            await Expect<DomainSummary>(registry.Ask(new DefineDomain(BenchGuest.DomainXml("bench", image)), Timeout));
            var domain = DomainRef.ByName("bench");
            // The first start probes the emulator's capabilities; warm-up, not counted.
            await Expect<DomainSummary>(registry.Ask(new StartDomain(domain), Timeout));
            await Expect<DomainSummary>(registry.Ask(new DestroyDomain(domain), Timeout));
            var start = new List<double>();
            var destroy = new List<double>();
            for (var i = 0; i < Runs; i++)
            {
                var clock = Stopwatch.StartNew();
                await Expect<DomainSummary>(registry.Ask(new StartDomain(domain), Timeout));
                start.Add(clock.Elapsed.TotalMilliseconds);
                clock.Restart();
                await Expect<DomainSummary>(registry.Ask(new DestroyDomain(domain), Timeout));
                destroy.Add(clock.Elapsed.TotalMilliseconds);
            }
            Console.WriteLine($"runs: {Runs} each, test guest on machine pc (TCG), in-process asks to the registry");
            Print("bare qemu spawn -> guest running, QMP answering", bareStart);
            Print("StartDomain (in process)", start);
            Print("bare qemu SIGTERM -> reaped", bareDestroy);
            Print("DestroyDomain (in process)", destroy);
            Console.WriteLine($"start overhead over bare: {Median(start) - Median(bareStart),6:F1} ms (median)");
            Console.WriteLine($"destroy overhead over bare: {Median(destroy) - Median(bareDestroy),6:F1} ms (median)");
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task<T> Expect<T>(Task<object> ask) => await ask switch
    {
        T reply => reply,
        ErrorReply e => throw new InvalidOperationException($"{e.Code}: {e.Message}"),
        var other => throw new InvalidOperationException($"unexpected reply {other}"),
    };

    /// <summary>The same guest and QMP socket started by hand: spawn until query-status answers, then SIGTERM until reaped.</summary>
    private static async Task<(List<double> Start, List<double> Destroy)> BareAsync(TempDirectory dir, string image)
    {
        var start = new List<double>();
        var destroy = new List<double>();
        for (var i = 0; i <= Runs; i++)
        {
            var monitor = dir.Combine("bare.qmp");
            File.Delete(monitor);
            var clock = Stopwatch.StartNew();
            using var qemu = BenchGuest.StartBareQemu(image, monitor);
            try
            {
                while (!File.Exists(monitor))
                    await Task.Delay(1);
                await using (var qmp = await QmpClient.ConnectAsync(monitor))
                    await qmp.ExecuteAsync("query-status");
                var started = clock.Elapsed.TotalMilliseconds;
                clock.Restart();
                if (Kill(qemu.Id, 15) != 0)
                    throw new InvalidOperationException("kill failed");
                await qemu.WaitForExitAsync();
                if (i > 0)
                {
                    start.Add(started);
                    destroy.Add(clock.Elapsed.TotalMilliseconds);
                }
            }
            finally
            {
                if (!qemu.HasExited)
                    qemu.Kill();
                await qemu.WaitForExitAsync();
            }
        }
        return (start, destroy);
    }

    [DllImport("libc", EntryPoint = "kill")]
#pragma warning disable SYSLIB1054 // a bench without unsafe code: plain DllImport of one blittable call
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    private static void Print(string label, List<double> samples) =>
        Console.WriteLine($"{label,-48} median {Median(samples),7:F1} ms  (min {samples.Min():F1}, max {samples.Max():F1})");

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
