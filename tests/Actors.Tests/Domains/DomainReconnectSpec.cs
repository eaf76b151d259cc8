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
    private async Task<int> RunInFirstRuntime(string name, DomainCreateFlags flags = DomainCreateFlags.None)
    {
        var first = ActorSystem.Create("first");
        try
        {
            var registry = Registry(first);
            var uuid = Guid.NewGuid();
            await registry.Ask<DomainSummary>(new DefineDomain(GuestXml(name, uuid)), Long);
            var started = await registry.Ask<object>(new StartDomain(DomainRef.ByName(name), flags), Long);
            Assert.IsType<DomainSummary>(started);
            return Pid(new DomainUuid(uuid));
        }
        finally
        {
            await first.Terminate();
        }
    }

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
        ExpectEvent("survivor", "Stopped Destroyed");
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
        ExpectEvent("victim", "Stopped Crashed");
        var summary = Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("victim")));
        Assert.Equal(("shut off (crashed)", null), (summary.StateText, summary.Id));
        Assert.Empty(StatusFiles.List());
        Assert.False(File.Exists(Paths.MonitorPath(1)));
    }

    [Fact]
    public async Task AutodestroyDomainIsDestroyedAtRuntimeStart()
    {
        var pid = await RunInFirstRuntime("orphan", DomainCreateFlags.Autodestroy);
        Assert.NotNull(StatusFiles.List().Single().Status!.AutodestroyOwner);

        var registry = Registry();
        ExpectEvent("orphan", "Stopped Destroyed");
        AwaitCondition(() => !ProcFs.IsAlive(pid), Long);
        Assert.Equal("shut off (destroyed)", Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("orphan"))).StateText);
        Assert.Empty(StatusFiles.List());
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
        Assert.Equal(("auto", "Started Booted"), (evt.Name.Value, evt.Display));
        Pid(evt.Uuid);
    }
}
