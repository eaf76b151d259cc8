using System.Diagnostics;
using Akka.Actor;
using Virt.Actors.Config;
using Virt.Actors.Domains;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Bench;

/// <summary>
/// 10,000 defined domains in one ActorSystem: heap per idle DomainActor (goal &lt; 4 KiB), list all
/// (goal &lt; 2 ms), GetDomainInfo through the registry with 16 concurrent askers (goal &gt; 100,000/s).
/// </summary>
public static class DomainScaleBenchmark
{
    private const int Count = 10_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync()
    {
        using var temp = new TempDirectory("vscale");
        var settings = VirtRuntimeSettings.ForConfigDirectory(temp.Combine("etc", "qemu")) with { Autostart = false };
        var runtime = new DomainRuntime(settings);
        var system = ActorSystem.Create("scale", "akka.loglevel = WARNING");
        try
        {
            await MeasureActorMemory(system, runtime);
            var registry = await LoadRegistry(system, settings, runtime);
            await MeasureList(registry);
            await MeasureInfo(registry);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task MeasureActorMemory(ActorSystem system, DomainRuntime runtime)
    {
        var entries = Enumerable.Range(0, Count).Select(i => new DomainEntry { Definition = Definition(i), Persistent = true }).ToArray();
        var before = Heap();
        var actors = new IActorRef[Count];
        for (var i = 0; i < Count; i++)
            actors[i] = system.ActorOf(DomainActor.Props(entries[i], runtime), "m" + i);
        // One message each: every actor has been created and has processed something.
        await Task.WhenAll(actors.Select(a => a.Ask<DomainInfo>(new GetDomainInfo(DomainRef.ById(1)), Timeout)));
        var after = Heap();
        Console.WriteLine($"idle DomainActor: {(after - before) / Count:N0} bytes each ({Count} actors, GC heap delta; goal < 4096)");
        foreach (var a in actors)
            system.Stop(a);
        GC.KeepAlive(entries);
    }

    private static async Task<IActorRef> LoadRegistry(ActorSystem system, VirtRuntimeSettings settings, DomainRuntime runtime)
    {
        var store = ConfigStore.Open(settings.Paths.ConfigDir);
        for (var i = 0; i < Count; i++)
            File.WriteAllText(store.ConfigPath(Name(i)), DomainXml.Format(Definition(i)));
        var load = Stopwatch.StartNew();
        var registry = system.ActorOf(DomainRegistryActor.Props(store, runtime), "domains");
        var list = await registry.Ask<DomainList>(new ListDomains(), Timeout);
        Console.WriteLine($"registry loaded {list.Domains.Count} domains with their actors in {load.ElapsedMilliseconds} ms");
        return registry;
    }

    /// <summary>The full list is cached between changes; a filtered one (--inactive) is a pass over the sorted entries.</summary>
    private static async Task MeasureList(IActorRef registry)
    {
        foreach (var (label, filter) in new[] { ("list all", ListDomainsFlags.All), ("list --inactive", ListDomainsFlags.Inactive) })
        {
            var times = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                var sw = Stopwatch.StartNew();
                var list = await registry.Ask<DomainList>(new ListDomains(filter), Timeout);
                times.Add(sw.Elapsed.TotalMilliseconds);
                if (list.Domains.Count != Count)
                    throw new InvalidOperationException($"listed {list.Domains.Count}");
            }
            times.Sort();
            Console.WriteLine($"{label} {Count}: median {times[times.Count / 2]:F2} ms, p99 {times[times.Count * 99 / 100]:F2} ms (goal < 2 ms)");
        }
    }

    private static async Task MeasureInfo(IActorRef registry)
    {
        const int askers = 16;
        const int perAsker = 20_000;
        async Task Asker(int seed)
        {
            for (var i = 0; i < perAsker; i++)
            {
                var name = Name((seed * 7919 + i) % Count);
                await registry.Ask<DomainInfo>(new GetDomainInfo(DomainRef.ByName(name)), Timeout);
            }
        }
        await Task.WhenAll(Enumerable.Range(0, askers).Select(s => Task.Run(() => Asker(s)))); // warm-up pass
        var sw = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, askers).Select(s => Task.Run(() => Asker(s + 1))));
        var rate = askers * perAsker / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"GetDomainInfo via the registry, {askers} concurrent askers: {rate:N0}/s (goal > 100,000/s)");
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static string Name(int i) => $"vm{i:D5}";

    private static DomainDefinition Definition(int i) => new()
    {
        Name = Name(i),
        Uuid = new Guid(i, 0, 0, new byte[8]),
        MemoryKiB = 65536,
        Os = new OsConfig { Type = "hvm", Arch = "x86_64", Machine = "pc" },
    };
}
