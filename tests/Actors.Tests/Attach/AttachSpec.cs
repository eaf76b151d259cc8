using Virt.TestSupport;
using Akka.Actor;
using Virt.Actors.Tests.Domains;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Attach;
using Virt.Supervisor.Processes;
using Virt.Supervisor.TestGuest;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Attach;

/// <summary>virsh qemu-attach through the registry: a QEMU started by hand becomes a transient domain Virt controls.</summary>
public sealed class AttachSpec : QemuDomainSpec
{
    /// <summary>
    /// Starts QEMU by hand with its own copy of the guest image (QEMU locks an image against a second writer);
    /// <paramref name="label"/> names its files (image, serial, socket) and defaults to the domain name.
    /// </summary>
    private HandStartedQemu StartByHand(string name, Guid uuid, bool qmp = true, string? label = null, bool wait = true, params string[] extra)
    {
        label ??= name;
        var dir = Path.GetDirectoryName(ImagePath)!;
        var image = ImageOf(label);
        TestGuestImage.Write(image);
        var qemu = HandStartedQemu.Start(image, SerialPath(label), qmp ? Path.Combine(dir, label + ".sock") : null,
            ["-name", name, "-uuid", uuid.ToString("D"), .. extra]);
        if (wait)
            AwaitGuestReady(label);
        return qemu;
    }

    private string ImageOf(string label) => Path.Combine(Path.GetDirectoryName(ImagePath)!, label + ".img");

    private static DomainRef By(string name) => DomainRef.ByName(name);

    [Fact]
    public void AttachedQemuIsATransientRunningDomainThatShutsDownAsShutdown()
    {
        var registry = Registry();
        var uuid = Guid.NewGuid();
        using var qemu = StartByHand("attached", uuid);

        var summary = Call<DomainSummary>(registry, new AttachDomain(qemu.Pid));
        Assert.Equal(("attached", new DomainUuid(uuid), 1, false, "running (unknown)"),
            (summary.Name.Value, summary.Uuid, summary.Id, summary.Persistent, summary.StateText));
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // like libvirt: attaching announces no lifecycle event

        var status = StatusFiles.Read(uuid)!.Status!;
        Assert.Equal((qemu.Pid, 1, qemu.MonitorPath), (status.Pid, status.DomainId, status.MonitorPath));
        Assert.Equal([DomainTaints.ExternalLaunch], status.Taints);
        var listed = Assert.Single(Call<DomainList>(registry, new ListDomains(ListDomainsFlags.Active | ListDomainsFlags.Transient)).Domains);
        Assert.Equal("attached", listed.Name.Value);
        var info = Call<DomainInfo>(registry, new GetDomainInfo(By("attached")));
        Assert.Equal((16UL * 1024, 1), (info.MaxMemoryKiB, info.Vcpus));
        var xml = Call<DomainXmlDescription>(registry, new GetDomainXml(By("attached"))).Xml;
        Assert.Contains("<name>attached</name>", xml);
        Assert.Contains(uuid.ToString("D"), xml);
        Assert.Contains(ImageOf("attached"), xml);

        Assert.Equal("paused (user)", Call<DomainSummary>(registry, new SuspendDomain(By("attached"))).StateText);
        ExpectEvent("attached", "Suspended Paused");
        Assert.Equal("running (unpaused)", Call<DomainSummary>(registry, new ResumeDomain(By("attached"))).StateText);
        ExpectEvent("attached", "Resumed Unpaused");

        // Started without -no-shutdown: QEMU exits by itself after the guest powers off; that is a shutdown, not a crash.
        Call<DomainSummary>(registry, new ShutdownDomain(By("attached")));
        ExpectEvents("attached", LibvirtLifecycle.GuestShutdown);
        AwaitCondition(() => !ProcFs.IsAlive(qemu.Pid), Long);
        Assert.Empty(Call<DomainList>(registry, new ListDomains()).Domains);
        Assert.Empty(StatusFiles.List());
    }

    [Fact]
    public void PausedQemuAttachesAsPausedUnknownAndCustomArgvIsATaint()
    {
        var registry = Registry();
        var uuid = Guid.NewGuid();
        using var qemu = StartByHand("held", uuid, wait: false, extra: ["-S", "-parallel", "null"]);
        AwaitAssert(() => Assert.True(File.Exists(qemu.MonitorPath)), Long);

        var summary = Call<DomainSummary>(registry, new AttachDomain(qemu.Pid));
        Assert.Equal("paused (unknown)", summary.StateText);
        Assert.Equal([DomainTaints.ExternalLaunch, DomainTaints.CustomArgv], StatusFiles.Read(uuid)!.Status!.Taints);

        Call<DomainSummary>(registry, new ResumeDomain(By("held")));
        ExpectEvent("held", "Resumed Unpaused");
        AwaitGuestReady("held");
        Call<DomainSummary>(registry, new DestroyDomain(By("held")));
        ExpectEvents("held", LibvirtLifecycle.Destroy);
        AwaitCondition(() => !ProcFs.IsAlive(qemu.Pid), Long);
    }

    [Fact]
    public void WhatCannotBeAttachedIsRefusedAndNothingIsRegistered()
    {
        var registry = Registry();
        using var sleep = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            var notQemu = Call<ErrorReply>(registry, new AttachDomain(sleep.Id));
            Assert.Equal(ErrorCode.OperationInvalid, notQemu.Code);
            Assert.Contains("not a QEMU", notQemu.Message);
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
        Assert.Equal(ErrorCode.NoDomain, Call<ErrorReply>(registry, new AttachDomain(sleep.Id)).Code);

        using var blind = StartByHand("blind", Guid.NewGuid(), qmp: false);
        var noMonitor = Call<ErrorReply>(registry, new AttachDomain(blind.Pid));
        Assert.Equal(ErrorCode.OperationInvalid, noMonitor.Code);
        Assert.Contains("-qmp unix:", noMonitor.Message);

        Assert.Empty(Call<DomainList>(registry, new ListDomains()).Domains);
        Assert.Empty(StatusFiles.List());
        Events.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void AQemuVirtManagesOrANameInUseIsRefusedNamingTheHolder()
    {
        var registry = Registry();
        Define(registry, "mine");
        Start(registry, "mine");
        ExpectEvents("mine", LibvirtLifecycle.Start);
        var started = Pid(Call<DomainSummary>(registry, new LookupDomain(By("mine"))).Uuid);
        var managed = Call<ErrorReply>(registry, new AttachDomain(started));
        Assert.Equal(ErrorCode.OperationInvalid, managed.Code);
        Assert.Contains("'mine'", managed.Message);

        using var twin = StartByHand("mine", Guid.NewGuid(), label: "twin");
        var clash = Call<ErrorReply>(registry, new AttachDomain(twin.Pid));
        Assert.Equal(ErrorCode.DomainExists, clash.Code);
        Assert.Contains("'mine'", clash.Message);

        using var other = StartByHand("other", Guid.NewGuid());
        Call<DomainSummary>(registry, new AttachDomain(other.Pid));
        var again = Call<ErrorReply>(registry, new AttachDomain(other.Pid));
        Assert.Equal(ErrorCode.OperationInvalid, again.Code);
        Assert.Contains("'other'", again.Message);
        Assert.Equal(["mine", "other"], Call<DomainList>(registry, new ListDomains()).Domains.Select(d => d.Name.Value));
        Assert.True(ProcFs.IsAlive(twin.Pid)); // a refused attach never touches the process
    }

    [Fact]
    public async Task AttachedDomainSurvivesARuntimeRestartAndCanBeDestroyed()
    {
        var uuid = Guid.NewGuid();
        using var qemu = StartByHand("kept", uuid);
        var first = ActorSystem.Create("first");
        try
        {
            var summary = await Registry(first).Ask<object>(new AttachDomain(qemu.Pid), Long);
            Assert.Equal(1, Assert.IsType<DomainSummary>(summary).Id);
        }
        finally
        {
            await first.Terminate();
        }
        Assert.True(ProcFs.IsAlive(qemu.Pid));

        var registry = Registry();
        var listed = Assert.Single(Call<DomainList>(registry, new ListDomains(ListDomainsFlags.Active)).Domains);
        Assert.Equal(("kept", 1, "running (unknown)", false), (listed.Name.Value, listed.Id, listed.StateText, listed.Persistent));
        AwaitAssert(() => Assert.IsType<DomainSummary>(Call<object>(registry, new DestroyDomain(By("kept")))), Long);
        ExpectEvents("kept", LibvirtLifecycle.Destroy);
        AwaitCondition(() => !ProcFs.IsAlive(qemu.Pid), Long);
        Assert.Empty(StatusFiles.List());
    }
}
