using Virt.Actors.Connections;
using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Actors.Tests.Connections;

public sealed class EventSubscriptionTests
{
    private static readonly DomainUuid A = new(Guid.NewGuid());
    private static readonly DomainUuid B = new(Guid.NewGuid());

    private static DomainLifecycleEvent Started(DomainUuid uuid) => DomainLifecycleEvent.Started(new DomainName("a"), uuid, StartedDetail.Booted);

    private static DomainLifecycleEvent Stopped(DomainUuid uuid) => DomainLifecycleEvent.Stopped(new DomainName("a"), uuid, StoppedDetail.Destroyed);

    [Fact]
    public void AllMatchesEverything()
    {
        Assert.True(EventSubscription.All.Matches(Started(A)));
        Assert.True(EventSubscription.All.Matches(Stopped(B)));
    }

    [Fact]
    public void DomainAndTypesBothFilter()
    {
        var s = EventSubscription.Of(A, [DomainEventType.Stopped]);
        Assert.Equal([true, false, false, false],
            new[] { Stopped(A), Started(A), Stopped(B), Started(B) }.Select(s.Matches));
    }

    [Fact]
    public void EmptyTypeListMatchesNothing()
    {
        // An explicit empty list is a list, not "all types".
        Assert.False(EventSubscription.Of(null, []).Matches(Started(A)));
    }
}
