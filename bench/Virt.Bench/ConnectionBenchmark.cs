using System.Diagnostics;
using Akka.Actor;
using Virt.Actors.Config;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Events;
using Virt.TestSupport;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Bench;

/// <summary>
/// What a connection actor costs: a lookup through a connection versus straight to the registry, and the
/// fan-out of lifecycle events to many subscribed connections.
/// </summary>
public static class ConnectionBenchmark
{
    private const int Calls = 20_000;
    private const int Connections = 1_000;
    private const int Events = 1_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task RunAsync()
    {
        using var temp = new TempDirectory("vbench");
        var system = ActorSystem.Create("bench", "akka.loglevel = WARNING");
        try
        {
            var registry = system.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(temp.Combine("qemu"))), "domains");
            var manager = system.ActorOf(ConnectionManagerActor.Props(registry), "connections");
            var connection = (await manager.Ask<ConnectionOpened>(new OpenConnection(Client, null, null), Timeout)).Connection;
            await connection.Ask<DomainSummary>(new DefineDomain(SmallDomains.Xml("vm", Guid.NewGuid())), Timeout);

            var lookup = new LookupDomain(DomainRef.ByName("vm"));
            Report("lookup straight to the registry", await RoundTrips(registry, lookup));
            Report("lookup through a connection", await RoundTrips(connection, lookup));

            await FanOut(system, manager);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static readonly ClientInfo Client = new(1000, Environment.ProcessId, ReadOnly: false, "bench");

    private static async Task<double[]> RoundTrips(IActorRef target, object message)
    {
        for (var i = 0; i < 1_000; i++)
            await target.Ask<DomainSummary>(message, Timeout); // warm-up
        var micros = new double[Calls];
        for (var i = 0; i < Calls; i++)
        {
            var watch = Stopwatch.StartNew();
            await target.Ask<DomainSummary>(message, Timeout);
            micros[i] = watch.Elapsed.TotalMicroseconds;
        }
        Array.Sort(micros);
        return micros;
    }

    private static void Report(string what, double[] sorted) =>
        Console.WriteLine($"{what}: median {sorted[sorted.Length / 2]:F1} us, p99 {sorted[sorted.Length * 99 / 100]:F1} us ({sorted.Length} asks)");

    private static async Task FanOut(ActorSystem system, IActorRef manager)
    {
        var sink = new CountingSink((long)Connections * Events);
        for (var i = 0; i < Connections; i++)
        {
            var opened = await manager.Ask<ConnectionOpened>(new OpenConnection(Client with { ReadOnly = true }, sink, null), Timeout);
            await opened.Connection.Ask<EventsSubscribed>(new SubscribeEvents(), Timeout);
        }
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var uuid = new DomainUuid(Guid.NewGuid());
        var evt = DomainLifecycleEvent.Suspended(new DomainName("vm"), uuid, SuspendedDetail.Paused);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Events; i++)
            system.EventStream.Publish(evt);
        await sink.All.WaitAsync(Timeout);
        watch.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var deliveries = (long)Connections * Events;
        Console.WriteLine($"fan-out: {Events} events to {Connections} connections = {deliveries} deliveries in {watch.ElapsedMilliseconds} ms " +
            $"({deliveries / watch.Elapsed.TotalSeconds / 1e6:F2} M/s); heap {before / 1024} KiB before, {after / 1024} KiB after");
    }

    /// <summary>A sink that only counts, shared by every connection: the cost measured is the actors', not a socket's.</summary>
    private sealed class CountingSink(long expected) : IEventSink
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _count;

        public Task All => _all.Task;

        public bool TryPush(DomainLifecycleEvent e)
        {
            if (Interlocked.Increment(ref _count) == expected)
                _all.TrySetResult();
            return true;
        }
    }
}
