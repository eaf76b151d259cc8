using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.TestSupport;
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
        ExpectEvents("vm1", LibvirtLifecycle.Start);
        AwaitGuestReady("vm1");
        var pid = Pid(uuid);
        var info = Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ById(1)));
        Assert.Equal(("running (booted)", 16UL * 1024, 1), (info.Domain.StateText, info.MaxMemoryKiB, info.Vcpus));
        Assert.True(File.Exists(Paths.MonitorPath(1)));
        var again = Call<ErrorReply>(registry, new StartDomain(DomainRef.ByName("vm1")));
        Assert.Equal(ErrorCode.OperationInvalid, again.Code);

        var destroyed = Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("vm1")));
        Assert.Equal(("shut off (destroyed)", null), (destroyed.StateText, destroyed.Id));
        ExpectEvents("vm1", LibvirtLifecycle.Destroy);
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
        ExpectEvents("vm2", LibvirtLifecycle.StartPaused);
        Assert.Equal("paused", StatusFiles.Read(uuid.Value)!.Status!.State);

        Assert.Equal("running (unpaused)", Call<DomainSummary>(registry, new ResumeDomain(DomainRef.ByName("vm2"))).StateText);
        ExpectEvent("vm2", "Resumed Unpaused");
        AwaitGuestReady("vm2");
        Assert.Equal(ErrorCode.OperationInvalid, Call<ErrorReply>(registry, new ResumeDomain(DomainRef.ByName("vm2"))).Code);

        Assert.Equal("paused (user)", Call<DomainSummary>(registry, new SuspendDomain(DomainRef.ByName("vm2"))).StateText);
        ExpectEvent("vm2", "Suspended Paused");
        Assert.Equal(("paused", "user"), (StatusFiles.Read(uuid.Value)!.Status!.State, StatusFiles.Read(uuid.Value)!.Status!.Reason));
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        // A paused domain's destroy: no Resumed first, as in libvirt.
        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("vm2")));
        ExpectEvents("vm2", LibvirtLifecycle.Destroy);
    }

    [Fact]
    public void GuestShutdownEndsAsShutoffShutdown()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm3");
        Start(registry, "vm3");
        ExpectEvents("vm3", LibvirtLifecycle.Start);
        var pid = Pid(uuid);
        AwaitGuestReady("vm3");

        var reply = Call<DomainSummary>(registry, new ShutdownDomain(DomainRef.ByName("vm3"), WaitFor: Long));
        Assert.Equal("shut off (shutdown)", reply.StateText);
        ExpectEvents("vm3", LibvirtLifecycle.GuestShutdown);
        AssertGone(pid);
        Assert.Null(StatusFiles.Read(uuid.Value));
        Assert.Equal("shut off (shutdown)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm3"))).Domain.StateText);
    }

    [Fact]
    public void QemuKilledIsACrashReportedAsStoppedFailed()
    {
        var registry = Registry();
        var uuid = Define(registry, "vm4");
        Start(registry, "vm4");
        ExpectEvents("vm4", LibvirtLifecycle.Start);
        var pid = Pid(uuid);

        Signal(pid, SIGKILL);
        ExpectEvents("vm4", LibvirtLifecycle.QemuKilled);
        Assert.Equal("shut off (crashed)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm4"))).Domain.StateText);
        Assert.Null(StatusFiles.Read(uuid.Value));
    }

    [Fact]
    public void OnCrashRestartDoesNotRestartAKilledQemu()
    {
        // on_crash is for a guest that panicked; a QEMU that died stays shut off (crashed), as in libvirt.
        var registry = Registry();
        var uuid = Define(registry, "vm5", "<on_crash>restart</on_crash>");
        Start(registry, "vm5");
        ExpectEvents("vm5", LibvirtLifecycle.Start);
        var pid = Pid(uuid);

        Signal(pid, SIGKILL);
        ExpectEvents("vm5", LibvirtLifecycle.QemuKilled);
        Events.ExpectNoMsg(TimeSpan.FromSeconds(1));
        Assert.Equal("shut off (crashed)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm5"))).Domain.StateText);
    }

    [Fact]
    public void QemuTerminatedFromOutsideIsAShutdown()
    {
        var registry = Registry();
        var uuid = Define(registry, "term");
        Start(registry, "term");
        ExpectEvents("term", LibvirtLifecycle.Start);
        var pid = Pid(uuid);

        Signal(pid, SIGTERM);
        ExpectEvents("term", LibvirtLifecycle.QemuTerminated);
        Assert.Equal("shut off (shutdown)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("term"))).Domain.StateText);
    }

    [Theory]
    [InlineData("destroy")]
    [InlineData("restart")]
    [InlineData("preserve")]
    public void A_guest_panic_applies_on_crash_as_libvirt_does(string onCrash)
    {
        var registry = Registry();
        var name = "panic-" + onCrash;
        var uuid = Define(registry, name, $"<on_crash>{onCrash}</on_crash>", devices: "<panic model='isa'/>");
        Start(registry, name);
        ExpectEvents(name, LibvirtLifecycle.Start);
        AwaitGuestReady(name);
        var pid = Pid(uuid);

        // The guest writes to pvpanic's port, as a panicking kernel does; HMP's port write does it from outside.
        Call<QemuMonitorReply>(registry, new QemuMonitorCommand(DomainRef.ByName(name),
            """{"execute":"human-monitor-command","arguments":{"command-line":"o /b 0x505 1"}}"""));
        var info = (string expected) => AwaitAssert(() =>
            Assert.Equal(expected, Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName(name))).Domain.StateText), Long);
        switch (onCrash)
        {
            case "destroy":
                ExpectEvents(name, LibvirtLifecycle.PanicDestroy);
                info("shut off (crashed)");
                AssertGone(pid);
                break;
            case "restart":
                ExpectEvents(name, LibvirtLifecycle.PanicRestart);
                info("running (crashed)");
                Assert.Equal(pid, Pid(uuid)); // the same QEMU, reset
                break;
            default:
                ExpectEvents(name, LibvirtLifecycle.PanicPreserve);
                info("crashed (panicked)");
                Assert.Equal("running (unpaused)", Call<DomainSummary>(registry, new ResumeDomain(DomainRef.ByName(name))).StateText);
                ExpectEvents(name, LibvirtLifecycle.Resume);
                break;
        }
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void Of_twenty_concurrent_destroys_one_succeeds_and_the_others_find_it_not_running()
    {
        var registry = Registry();
        var uuid = Define(registry, "race");
        Start(registry, "race");
        ExpectEvents("race", LibvirtLifecycle.Start);
        var pid = Pid(uuid);

        var askers = Enumerable.Range(0, 20).Select(_ => CreateTestProbe()).ToList();
        foreach (var asker in askers)
            registry.Tell(new DestroyDomain(DomainRef.ByName("race")), asker.Ref);
        var replies = askers.Select(a => a.ExpectMsg<IDomainReply>(Long)).ToList();

        Assert.Single(replies.OfType<DomainSummary>());
        var refused = replies.OfType<ErrorReply>().ToList();
        Assert.Equal(19, refused.Count);
        Assert.All(refused, e => Assert.Equal((ErrorCode.OperationInvalid, "domain 'race' is not running"), (e.Code, e.Message)));
        ExpectEvents("race", LibvirtLifecycle.Destroy);
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        AssertGone(pid);
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
        ExpectEvents("vm6", LibvirtLifecycle.Start);

        var status = Call<QemuMonitorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), """{"execute":"query-status"}"""));
        Assert.Contains("\"running\"", status.Json);
        Assert.Contains("custom-monitor", StatusFiles.Read(uuid.Value)!.Status!.Taints);

        Call<QemuMonitorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), """{"execute":"stop"}"""));
        ExpectEvent("vm6", "Suspended Paused");
        Assert.Equal("paused (unknown)", Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm6"))).Domain.StateText);

        Assert.Equal(ErrorCode.OperationInvalid, Call<ErrorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), "not json")).Code);
        Assert.Equal(ErrorCode.OperationFailed, Call<ErrorReply>(registry, new QemuMonitorCommand(DomainRef.ByName("vm6"), """{"execute":"no-such-command"}""")).Code);

        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByName("vm6")));
        ExpectEvents("vm6", LibvirtLifecycle.Destroy);
    }
}
