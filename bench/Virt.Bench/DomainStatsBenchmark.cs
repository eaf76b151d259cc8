using System.Diagnostics;
using Akka.Actor;
using Virt.Actors.Config;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainQueries;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Bench;

/// <summary>
/// domstats: libvirt's bulk stats (all groups) of 100 running domains in one call, asked of the registry in process.
/// The guests are started paused: 100 busy-polling TCG guests would leave nothing of 2 cores to measure with, and a
/// paused domain's stats cost the same QMP queries and /proc reads.
/// </summary>
public static class DomainStatsBenchmark
{
    private const int Domains = 100;
    private const int Runs = 30;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public static async Task RunAsync()
    {
        using var temp = new TempDirectory("vstats");
        var settings = VirtRuntimeSettings.ForConfigDirectory(temp.Combine("etc", "qemu")) with { Autostart = false };
        var system = ActorSystem.Create("stats", "akka.loglevel = WARNING");
        var registry = system.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(settings.Paths.ConfigDir), new DomainRuntime(settings)), "domains");
        try
        {
            for (var i = 0; i < Domains; i++)
            {
                var image = temp.Combine($"s{i}.img"); // QEMU locks its image: one each
                TestGuestImage.Write(image);
                await Expect<DomainSummary>(registry.Ask(new DefineDomain(BenchGuest.DomainXml($"s{i}", image)), Timeout));
                await Expect<DomainSummary>(registry.Ask(new StartDomain(DomainRef.ByName($"s{i}"), DomainCreateFlags.StartPaused), Timeout));
            }
            // VIRT_BENCH_STATS_GROUPS narrows the groups (libvirt's bit values), to see what each costs.
            var groups = (DomainStatsGroups)int.Parse(Environment.GetEnvironmentVariable("VIRT_BENCH_STATS_GROUPS") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            var all = new GetDomainStats([], groups, ListDomainsFlags.Active);
            var fields = (await Expect<DomainStatsList>(registry.Ask(all, Timeout))).Records.Sum(r => r.Fields.Count); // warm-up
            var samples = new List<double>();
            for (var run = 0; run < Runs; run++)
            {
                var clock = Stopwatch.StartNew();
                await Expect<DomainStatsList>(registry.Ask(all, Timeout));
                samples.Add(clock.Elapsed.TotalMilliseconds);
            }
            samples.Sort();
            Console.WriteLine($"domstats of {Domains} running (paused) domains, groups {(groups == DomainStatsGroups.None ? "all" : groups.ToString())}, {fields} fields: median {samples[Runs / 2]:F1} ms, " +
                $"p90 {samples[Runs * 9 / 10]:F1} ms, min {samples[0]:F1} ms ({Runs} runs, in process)");
        }
        finally
        {
            for (var i = 0; i < Domains; i++)
                await registry.Ask(new DestroyDomain(DomainRef.ByName($"s{i}")), Timeout);
            await system.Terminate();
        }
    }

    private static async Task<T> Expect<T>(Task<object> ask) => await ask switch
    {
        T reply => reply,
        ErrorReply e => throw new InvalidOperationException($"{e.Code}: {e.Message}"),
        var other => throw new InvalidOperationException($"unexpected reply {other}"),
    };
}
