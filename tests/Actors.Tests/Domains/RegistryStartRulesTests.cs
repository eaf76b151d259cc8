using Virt.TestSupport;
using Virt.Actors.Domains;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Domains;

/// <summary>The registry's id and state rules for starts, transitions and reconnects, without actors.</summary>
public sealed class RegistryStartRulesTests
{
    private readonly RegistryState _state = new();

    [Fact]
    public void BeginStartAllocatesAnIdThatAbandonReleases()
    {
        var def = SmallDomains.Definition("a");
        var uuid = new DomainUuid(def.Uuid);
        _state.Define(def);

        var starting = (DomainSummary)_state.BeginStart(uuid).Reply;
        Assert.Equal((1, "paused (starting up)"), (starting.Id, starting.StateText));
        Assert.Equal(ErrorCode.OperationInvalid, ((ErrorReply)_state.BeginStart(uuid).Reply).Code);
        Assert.NotNull(_state.Find(DomainRef.ById(1)));

        var abandoned = (DomainSummary)_state.AbandonStart(uuid).Reply;
        Assert.Equal((null, "shut off (failed)"), (abandoned.Id, abandoned.StateText));
        Assert.Null(_state.Find(DomainRef.ById(1)));
        Assert.Equal(2, ((DomainSummary)_state.BeginStart(uuid).Reply).Id);
    }

    [Fact]
    public void RecordKeepsStateAndPassesTheEventOn()
    {
        var def = SmallDomains.Definition("b");
        var uuid = new DomainUuid(def.Uuid);
        _state.Define(def);
        Assert.Equal(ErrorCode.OperationInvalid, ((ErrorReply)_state.Record(uuid, DomainState.Paused, 1, null).Reply).Code);
        _state.MarkStarted(uuid);

        var evt = DomainLifecycleEvent.Suspended(new DomainName(def.Name), uuid, SuspendedDetail.Paused);
        var outcome = _state.Record(uuid, DomainState.Paused, (int)PausedReason.User, evt);
        Assert.Equal("paused (user)", ((DomainSummary)outcome.Reply).StateText);
        Assert.Equal([evt], outcome.Events);
        Assert.Equal(ErrorCode.OperationInvalid, ((ErrorReply)_state.AbandonStart(uuid).Reply).Code);
    }

    [Fact]
    public void ReconnectRestoresIdsAndMakesUnknownDomainsTransient()
    {
        var persistent = SmallDomains.Definition("p");
        _state.Load(persistent, autostart: true);
        var transient = SmallDomains.Definition("t");

        Assert.True(_state.Reconnect(persistent with { MemoryKiB = 1024 }, 7, DomainState.Running, (int)RunningReason.Booted).Succeeded);
        Assert.True(_state.Reconnect(transient, 3, DomainState.Paused, (int)PausedReason.User).Succeeded);
        Assert.False(_state.Reconnect(SmallDomains.Definition("x"), 3, DomainState.Running, 1).Succeeded);

        var p = _state.Find(DomainRef.ById(7))!;
        Assert.Equal((1024UL, persistent.MemoryKiB, true), (p.Definition.MemoryKiB, p.Config.MemoryKiB, p.Autostart));
        Assert.False(_state.Find(DomainRef.ById(3))!.Persistent);
        // New ids continue above the reconnected ones.
        var fresh = SmallDomains.Definition("f");
        _state.Define(fresh);
        Assert.Equal(8, ((DomainSummary)_state.BeginStart(new DomainUuid(fresh.Uuid)).Reply).Id);
        Assert.Equal(["t", "p", "f"], _state.List(ListDomainsFlags.All).Domains.Select(d => d.Name.Value));
    }

    [Theory]
    [InlineData(DomainState.Running, (int)RunningReason.Booted, "running", "booted")]
    [InlineData(DomainState.Paused, (int)PausedReason.StartingUp, "paused", "startingup")]
    [InlineData(DomainState.Shutdown, (int)ShutdownReason.User, "shutdown", "user")]
    public void StatusNamesRoundTrip(DomainState state, int reason, string stateName, string reasonName)
    {
        Assert.Equal((stateName, reasonName), (StatusNames.State(state), StatusNames.Reason(state, reason)));
        Assert.Equal((state, reason), StatusNames.Parse(stateName, reasonName));
        Assert.Throws<VirtException>(() => StatusNames.Parse("flying", "x"));
    }
}
