using Virt.TestSupport;
using Akka.Actor;
using Virt.Actors.Config;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.TestGuest;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Domains;

public sealed class DomainRebootSpec : QemuDomainSpec
{
    private int ReadyLines(string name) =>
        File.Exists(SerialPath(name)) ? File.ReadAllText(SerialPath(name)).Split(TestGuestImage.ReadyLine).Length - 1 : 0;

    [Fact]
    public void RebootResetsTheGuestInsteadOfStopping()
    {
        var registry = Registry();
        var uuid = Define(registry, "rb");
        Start(registry, "rb");
        ExpectEvents("rb", LibvirtLifecycle.Start);
        var pid = Pid(uuid);
        AwaitGuestReady("rb");

        Call<DomainSummary>(registry, new RebootDomain(DomainRef.ByName("rb")));
        // The guest booted a second time in the same QEMU, and, as with libvirt, no lifecycle event says so.
        AwaitAssert(() => Assert.Equal(2, ReadyLines("rb")), Long);
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        var info = Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("rb")));
        Assert.Equal("running (booted)", info.Domain.StateText);
        Assert.Equal(pid, Pid(uuid));

        // A plain shutdown afterwards stops it: the reboot flag is spent.
        Call<DomainSummary>(registry, new ShutdownDomain(DomainRef.ByName("rb")));
        ExpectEvents("rb", LibvirtLifecycle.GuestShutdown);
    }

    [Fact]
    public void OnPoweroffPreserveKeepsQemuInShutdownUntilDestroyed()
    {
        var registry = Registry();
        var uuid = Define(registry, "keep", "<on_poweroff>preserve</on_poweroff>");
        Start(registry, "keep");
        ExpectEvents("keep", LibvirtLifecycle.Start);
        AwaitGuestReady("keep");

        Call<DomainSummary>(registry, new ShutdownDomain(DomainRef.ByName("keep")));
        ExpectEvent("keep", "Shutdown Finished after guest request");
        Assert.Equal("in shutdown (user)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("keep"))).Domain.StateText);
        Assert.Equal("shutdown", StatusFiles.Read(uuid.Value)!.Status!.State);
        Assert.Equal(ErrorCode.OperationInvalid, Call<ErrorReply>(registry, new SuspendDomain(DomainRef.ByName("keep"))).Code);

        // Already in shutdown: QEMU reports no second SHUTDOWN, so only the stop follows.
        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("keep")));
        ExpectEvent("keep", "Stopped Destroyed");
    }

    [Fact]
    public void DestroyDuringAWaitingStartCancelsIt()
    {
        var probeGate = new TaskCompletionSource<QemuCapabilities>(TaskCreationOptions.RunContinuationsAsynchronously);
        var caps = new CapabilitiesCache((_, _) => probeGate.Task);
        var registry = Sys.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(Paths.ConfigDir), new DomainRuntime(Settings, caps)), "domains");
        Define(registry, "slow");

        var starter = CreateTestProbe();
        registry.Tell(new StartDomain(DomainRef.ByName("slow")), starter.Ref);
        AwaitAssert(() => Assert.Equal("paused (starting up)",
            Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("slow"))).StateText), Long);

        var destroyed = Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("slow")));
        Assert.Equal("shut off (destroyed)", destroyed.StateText);
        Assert.Contains("was destroyed", starter.ExpectMsg<ErrorReply>(Long).Message);
        ExpectEvent("slow", "Stopped Destroyed");
        var summary = Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("slow")));
        Assert.Equal(("shut off (destroyed)", null), (summary.StateText, summary.Id));
        probeGate.SetCanceled();
    }
}
