using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Domains;

public sealed class DomainLifecycleSpec : QemuDomainSpec
{
    [Fact]
    public void StartBootsTheGuestAndDestroyKillsIt()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm1");

        var started = Start(registry, "vm1");
        Assert.Equal(("running (booted)", 1), (started.StateText, started.Id));
        ExpectEvent("vm1", "Started Booted");
        AwaitGuestReady("vm1");
        var pid = Pid(uuid);
        var info = Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ById(1)));
        Assert.Equal(("running (booted)", 16UL * 1024, 1), (info.Domain.StateText, info.MaxMemoryKiB, info.Vcpus));
        Assert.True(File.Exists(Paths.MonitorPath(1)));
        var again = Call<ErrorReply>(registry, new StartDomain(DomainRef.ByName("vm1")));
        Assert.Equal(ErrorCode.OperationInvalid, again.Code);

        var destroyed = Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("vm1")));
        Assert.Equal(("shut off (destroyed)", null), (destroyed.StateText, destroyed.Id));
        ExpectEvent("vm1", "Stopped Destroyed");
        AssertGone(pid);
        Assert.Null(StatusFiles.Read(uuid.Value));
        Assert.False(File.Exists(Paths.MonitorPath(1)));
        Assert.False(Directory.Exists(Paths.DomainRuntimeDir(1)));
        var listed = Assert.Single(Call<DomainList>(registry, new ListDomains()).Domains);
        Assert.Equal("shut off (destroyed)", listed.StateText);
        Assert.Equal(ErrorCode.OperationInvalid, Call<ErrorReply>(registry, new DestroyDomain(DomainRef.ByName("vm1"))).Code);
    }

    [Fact]
    public void StartPausedThenResumeAndSuspendWithEvents()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm2");

        var started = Start(registry, "vm2", DomainCreateFlags.StartPaused);
        Assert.Equal("paused (user)", started.StateText);
        ExpectEvent("vm2", "Started Booted");
        ExpectEvent("vm2", "Suspended Paused");
        Assert.Equal("paused", StatusFiles.Read(uuid.Value)!.Status!.State);

        Assert.Equal("running (unpaused)", Call<DomainSummary>(registry, new ResumeDomain(DomainRef.ByName("vm2"))).StateText);
        ExpectEvent("vm2", "Resumed Unpaused");
        AwaitGuestReady("vm2");
        Assert.Equal(ErrorCode.OperationInvalid, Call<ErrorReply>(registry, new ResumeDomain(DomainRef.ByName("vm2"))).Code);

        Assert.Equal("paused (user)", Call<DomainSummary>(registry, new SuspendDomain(DomainRef.ByName("vm2"))).StateText);
        ExpectEvent("vm2", "Suspended Paused");
        Assert.Equal(("paused", "user"), (StatusFiles.Read(uuid.Value)!.Status!.State, StatusFiles.Read(uuid.Value)!.Status!.Reason));
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("vm2")));
        ExpectEvent("vm2", "Stopped Destroyed");
    }

    [Fact]
    public void GuestShutdownEndsAsShutoffShutdown()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm3");
        Start(registry, "vm3");
        ExpectEvent("vm3", "Started Booted");
        var pid = Pid(uuid);
        AwaitGuestReady("vm3");

        var reply = Call<DomainSummary>(registry, new ShutdownDomain(DomainRef.ByName("vm3"), WaitFor: Long));
        Assert.Equal("shut off (shutdown)", reply.StateText);
        ExpectEvent("vm3", "Shutdown Finished after guest request");
        ExpectEvent("vm3", "Stopped Shutdown");
        AssertGone(pid);
        Assert.Null(StatusFiles.Read(uuid.Value));
        Assert.Equal("shut off (shutdown)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm3"))).Domain.StateText);
    }

    [Fact]
    public void QemuKilledIsACrash()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm4");
        Start(registry, "vm4");
        ExpectEvent("vm4", "Started Booted");
        var pid = Pid(uuid);

        Signal(pid, SIGKILL);
        ExpectEvent("vm4", "Stopped Crashed");
        Assert.Equal("shut off (crashed)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm4"))).Domain.StateText);
        Assert.Null(StatusFiles.Read(uuid.Value));
    }

    [Fact]
    public void OnCrashRestartStartsItAgain()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm5", "<on_crash>restart</on_crash>");
        Start(registry, "vm5");
        ExpectEvent("vm5", "Started Booted");
        var pid = Pid(uuid);

        Signal(pid, SIGKILL);
        ExpectEvent("vm5", "Stopped Crashed");
        ExpectEvent("vm5", "Started Booted");
        var info = Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm5")));
        Assert.Equal(("running (booted)", 2), (info.Domain.StateText, info.Domain.Id));
        Assert.NotEqual(pid, Pid(uuid));
    }

    [Fact]
    public void StartFailureReleasesTheIdAndReportsQemu()
    {
        var registry = Registry();
        Define(registry, "bad", "");
        Call<DomainSummary>(registry, new DefineDomain(GuestXml("bad", Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("bad"))).Uuid.Value)
            .Replace("<devices>", "<devices><emulator>/nonexistent/qemu</emulator>")));
        ExpectEvent("bad", "Defined Updated");

        var error = Call<ErrorReply>(registry, new StartDomain(DomainRef.ByName("bad")));
        Assert.Contains("/nonexistent/qemu", error.Message);
        var summary = Call<DomainSummary>(registry, new LookupDomain(DomainRef.ByName("bad")));
        Assert.Equal(("shut off (failed)", null), (summary.StateText, summary.Id));
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void QmpPassthroughTaintsAndDrivesState()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm6");
        Start(registry, "vm6");
        ExpectEvent("vm6", "Started Booted");

        var status = Call<QemuMonitorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), """{"execute":"query-status"}"""));
        Assert.Contains("\"running\"", status.Json);
        Assert.Contains("custom-monitor", StatusFiles.Read(uuid.Value)!.Status!.Taints);

        Call<QemuMonitorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), """{"execute":"stop"}"""));
        ExpectEvent("vm6", "Suspended Paused");
        Assert.Equal("paused (unknown)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm6"))).Domain.StateText);

        Assert.Equal(ErrorCode.OperationInvalid, Call<ErrorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), "not json")).Code);
        Assert.Equal(ErrorCode.OperationFailed, Call<ErrorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), """{"execute":"no-such-command"}""")).Code);

        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("vm6")));
        ExpectEvent("vm6", "Stopped Destroyed");
    }
}
