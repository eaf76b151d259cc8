using Virt.TestSupport;
using Akka.Actor;
using Virt.Actors.Domains;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Processes;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Domains;

public sealed class DomainJobSpec : QemuDomainSpec
{
    public DomainJobSpec()
    {
        Settings = Settings with { JobWait = TimeSpan.FromMilliseconds(300) };
    }

    [Fact]
    public void SecondJobTimesOutAsBusyAndDestroyEndsTheHungOne()
    {
        var registry = Registry();
        var uuid = Define(registry, "hung");
        Start(registry, "hung");
        ExpectEvents("hung", LibvirtLifecycle.Start);
        var pid = Pid(uuid);
        // A stopped QEMU cannot answer: the suspend job hangs on its QMP reply.
        Signal(pid, SIGSTOP);

        var suspender = CreateTestProbe();
        registry.Tell(new SuspendDomain(DomainRef.ByName("hung")), suspender.Ref);
        var busy = Call<ErrorReply>(registry, new ResumeDomain(DomainRef.ByName("hung")));
        Assert.Equal(ErrorCode.OperationTimeout, busy.Code);
        Assert.Contains("domain 'hung' is busy with suspend", busy.Message);
        // Queries never wait for the job.
        Assert.Equal("running (booted)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("hung"))).Domain.StateText);

        var destroyed = Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("hung")));
        Assert.Equal("shut off (destroyed)", destroyed.StateText);
        var aborted = suspender.ExpectMsg<ErrorReply>(Long);
        Assert.Contains("was destroyed", aborted.Message);
        // A stopped QEMU reports no SHUTDOWN: SIGKILL ends it with the Stopped event alone.
        ExpectEvent("hung", "Stopped Destroyed");
        AssertGone(pid);
    }

    [Fact]
    public void GracefulDestroyOfAStoppedQemuFailsAndLeavesItRunning()
    {
        var registry = Registry();
        var uuid = Define(registry, "stubborn");
        Start(registry, "stubborn");
        ExpectEvents("stubborn", LibvirtLifecycle.Start);
        var pid = Pid(uuid);
        Signal(pid, SIGSTOP); // SIGTERM stays pending while stopped

        var error = Call<ErrorReply>(registry, new DestroyDomain(DomainRef.ByName("stubborn"), DomainDestroyFlags.Graceful));
        Assert.Equal(ErrorCode.OperationFailed, error.Code);
        Assert.True(ProcFs.IsAlive(pid));
        Assert.Equal("running (booted)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("stubborn"))).Domain.StateText);

        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("stubborn")));
        ExpectEvent("stubborn", "Stopped Destroyed");
        AssertGone(pid);
    }

    [Fact]
    public void AnExceptionRestartsTheActorAndKeepsTheVm()
    {
        var registry = Registry();
        var uuid = Define(registry, "robust");
        Start(registry, "robust");
        ExpectEvents("robust", LibvirtLifecycle.Start);
        var pid = Pid(uuid);
        var child = Sys.ActorSelection(registry.Path / uuid.ToString()).ResolveOne(Long).GetAwaiter().GetResult();

        // Akka's Kill makes the actor fail with ActorKilledException; the registry's strategy restarts it like any failure.
        EventFilter.Exception<ActorKilledException>().ExpectOne(() => child.Tell(Kill.Instance));

        AwaitAssert(() =>
        {
            var info = Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("robust")));
            Assert.Equal(("running (booted)", 1), (info.Domain.StateText, info.Domain.Id));
        }, Long);
        Assert.True(ProcFs.IsAlive(pid));
        Assert.Equal(pid, Pid(uuid));
        // The reconnected actor drives the VM: a QMP round trip and a destroy work.
        Assert.Equal("paused (user)", Call<DomainSummary>(registry, new SuspendDomain(DomainRef.ByName("robust"))).StateText);
        ExpectEvent("robust", "Suspended Paused");
        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("robust")));
        ExpectEvents("robust", LibvirtLifecycle.Destroy);
        AssertGone(pid);
    }
}
