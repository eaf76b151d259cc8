using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Actors.Tests;

/// <summary>The numbers and words are libvirt's public contract (libvirt-domain.h, virsh).</summary>
public class ProtocolNamesTests
{
    [Theory]
    [InlineData(DomainState.Running, (int)RunningReason.Booted, "running (booted)")]
    [InlineData(DomainState.Running, (int)RunningReason.Unpaused, "running (unpaused)")]
    [InlineData(DomainState.Paused, (int)PausedReason.User, "paused (user)")]
    [InlineData(DomainState.Shutoff, (int)ShutoffReason.Destroyed, "shut off (destroyed)")]
    [InlineData(DomainState.Shutoff, (int)ShutoffReason.Failed, "shut off (failed)")]
    [InlineData(DomainState.Shutdown, (int)ShutdownReason.User, "in shutdown (user)")]
    [InlineData(DomainState.Crashed, (int)CrashedReason.Panicked, "crashed (panicked)")]
    [InlineData(DomainState.Shutoff, 99, "shut off (unknown)")]
    public void StatesReadAsVirshDomstate(DomainState state, int reason, string expected) =>
        Assert.Equal(expected, DomainStates.Describe(state, reason));

    [Fact]
    public void NumbersMatchLibvirt()
    {
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Enum.GetValues<DomainState>().Select(s => (int)s));
        Assert.Equal((1, 2, 3, 5, 6, 8),
            ((int)ShutoffReason.Shutdown, (int)ShutoffReason.Destroyed, (int)ShutoffReason.Crashed,
             (int)ShutoffReason.Saved, (int)ShutoffReason.Failed, (int)ShutoffReason.Daemon));
        Assert.Equal((1, 5), ((int)RunningReason.Booted, (int)RunningReason.Unpaused));
        Assert.Equal((0, 5, 8), ((int)DomainEventType.Defined, (int)DomainEventType.Stopped, (int)DomainEventType.Crashed));
        Assert.Equal((1, 5), ((int)StoppedDetail.Destroyed, (int)StoppedDetail.Failed));
    }

    [Fact]
    public void EventsReadAsVirshEvent()
    {
        var name = new DomainName("vm");
        var uuid = new DomainUuid(Guid.NewGuid());
        Assert.Equal("Started Booted", DomainLifecycleEvent.Started(name, uuid, StartedDetail.Booted).Display);
        Assert.Equal("Stopped Destroyed", DomainLifecycleEvent.Stopped(name, uuid, StoppedDetail.Destroyed).Display);
        Assert.Equal("Shutdown Finished after guest request", DomainLifecycleEvent.ShutdownEvent(name, uuid, ShutdownDetail.Guest).Display);
        Assert.Equal("event 'lifecycle' for domain 'vm': Resumed Unpaused",
            DomainLifecycleEvent.Resumed(name, uuid, ResumedDetail.Unpaused).ToString());
        Assert.Equal("Stopped unknown", new DomainLifecycleEvent(name, uuid, DomainEventType.Stopped, 42).Display);
    }

    [Fact]
    public void DomainRefFromTextFollowsVirsh()
    {
        var uuid = Guid.NewGuid();
        Assert.Equal(DomainRef.ById(3), DomainRef.FromText("3"));
        Assert.Equal(DomainRef.ByUuid(new DomainUuid(uuid)), DomainRef.FromText(uuid.ToString()));
        Assert.Equal(DomainRef.ByName("web-1"), DomainRef.FromText("web-1"));
        Assert.Throws<Virt.Protocol.Errors.VirtException>(() => new DomainName("a/b"));
    }
}
