using Virt.TestSupport;
using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Protocol.Events;
using Virt.Supervisor.Processes;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Domains;

/// <summary>A whole runtime stops (QEMU keeps running) and a new ActorSystem on the same paths takes over.</summary>
public sealed class DomainReconnectSpec : QemuDomainSpec
{
    /// <summary>Starts the domain in a first runtime, then stops that runtime; returns the QEMU pid.</summary>
    private async Task<int> RunInFirstRuntime(string name, DomainCreateFlags flags = DomainCreateFlags.None) =>
        (await RunInFirstRuntime((name, flags)))[0];

    /// <summary>Starts the domains in one first runtime, then stops that runtime; returns their QEMU pids.</summary>
    private async Task<int[]> RunInFirstRuntime(params (string Name, DomainCreateFlags Flags)[] domains)
    {
        var first = ActorSystem.Create("first");
        try
        {
            var registry = Registry(first);
            var pids = new List<int>();
            foreach (var (name, flags) in domains)
            {
                var uuid = Guid.NewGuid();
                await registry.Ask<DomainSummary>(new DefineDomain(GuestXml(name, uuid)), Long);
                // An autodestroy start belongs to a connection, as one through ConnectionActor does.
                object start = flags.HasFlag(DomainCreateFlags.Autodestroy)
                    ? new Virt.Actors.Connections.OwnedStart(new StartDomain(DomainRef.ByName(name), flags), Owner)
                    : new StartDomain(DomainRef.ByName(name), flags);
                Assert.IsType<DomainSummary>(await registry.Ask<object>(start, Long));
                pids.Add(Pid(new DomainUuid(uuid)));
            }
            return [.. pids];
        }
        finally
        {
            await first.Terminate();
        }
    }

    private static readonly Virt.Actors.Connections.AutodestroyOwner Owner = new(7, new Virt.Actors.Connections.ClientInfo(1000, 4242, ReadOnly: false, "unix"));

    [Fact]
    public async Task NewRuntimeReconnectsToTheRunningVm()
    {
        var pid = await RunInFirstRuntime("survivor");
        Assert.True(ProcFs.IsAlive(pid));

        var registry = Registry();
        var listed = Assert.Single(Call<DomainList>(registry, new ListDomains(ListDomainsFlags.Active)).Domains);
        Assert.Equal(("survivor", 1, "running (booted)"), (listed.Name.Value, listed.Id, listed.StateText));
        AwaitAssert(() => Assert.Equal("paused (user)",
            Call<object>(registry, new SuspendDomain(DomainRef.ByName("survivor"))) is DomainSummary s ? s.StateText : "busy"), Long);
        ExpectEvent("survivor", "Suspended Paused");
        Assert.Equal(pid, Pid(listed.Uuid));

        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ById(1)));
        ExpectEvents("survivor", LibvirtLifecycle.Destroy);
        AssertGone(pid);
        Assert.Empty(StatusFiles.List());
    }

    [Fact]
    public async Task QemuThatDiedWhileTheRuntimeWasDownIsACrash()
    {
        var pid = await RunInFirstRuntime("victim");
        Signal(pid, SIGKILL);
        AwaitCondition(() => !ProcFs.IsAlive(pid), Long);

        var registry = Registry();
        ExpectEvents("victim", LibvirtLifecycle.QemuKilled);
        var summary = Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("victim")));
        Assert.Equal(("shut off (crashed)", null), (summary.StateText, summary.Id));
        Assert.Empty(StatusFiles.List());
        Assert.False(File.Exists(Paths.MonitorPath(1)));
    }

    [Fact]
    public async Task AutodestroyDomainIsDestroyedAtRuntimeStart()
    {
        var pids = await RunInFirstRuntime(("orphan", DomainCreateFlags.Autodestroy), ("kept", DomainCreateFlags.None));
        var (pid, kept) = (pids[0], pids[1]);
        Assert.Equal("connection 7 (uid 1000, pid 4242, read-write over unix)",
            StatusFiles.List().Single(s => s.Status!.Name == "orphan").Status!.AutodestroyOwner);

        // The owner died with the first runtime: its domain goes, the other one stays.
        var registry = Registry();
        ExpectEvents("orphan", LibvirtLifecycle.Destroy);
        AwaitCondition(() => !ProcFs.IsAlive(pid), Long);
        Assert.Equal("shut off (destroyed)", Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("orphan"))).StateText);
        Assert.True(ProcFs.IsAlive(kept));
        Assert.Equal("running (booted)", Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("kept"))).StateText);
        Assert.Equal("kept", StatusFiles.List().Single().Status!.Name);
        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("kept")));
        ExpectEvents("kept", LibvirtLifecycle.Destroy);
    }

    [Fact]
    public void AutostartStartsDomainsThatAreNotRunning()
    {
        var first = Registry();
        Define(first, "auto");
        Call<DomainSummary>(first, new SetAutostart(DomainRef.ByName("auto"), true));
        Sys.Stop(first);
        ExpectTerminated(Watch(first));

        Registry();
        var evt = Events.ExpectMsg<DomainLifecycleEvent>(Long);
        Assert.Equal(("auto", "Resumed Unpaused"), (evt.Name.Value, evt.Display));
        ExpectEvent("auto", "Started Booted");
        Pid(evt.Uuid);
    }
}
