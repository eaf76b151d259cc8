using Virt.TestSupport;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Attach;

/// <summary>The registry's attach rules without actors: uniqueness as for define, transient, an id, no event.</summary>
public sealed class RegistryAttachRulesTests
{
    private static DomainDefinition Parse(string name, Guid uuid) => DomainXml.Parse(SmallDomains.Xml(name, uuid));

    [Fact]
    public void AttachAddsATransientActiveDomainWithTheNextIdAndNoEvent()
    {
        var state = new RegistryState();
        var outcome = state.Attach(Parse("a", Guid.NewGuid()), DomainState.Running, (int)RunningReason.Unknown);
        var summary = Assert.IsType<DomainSummary>(outcome.Reply);
        Assert.Equal((1, false, "running (unknown)"), (summary.Id, summary.Persistent, summary.StateText));
        Assert.Empty(outcome.Events);

        var paused = Assert.IsType<DomainSummary>(state.Attach(Parse("b", Guid.NewGuid()), DomainState.Paused, (int)PausedReason.Unknown).Reply);
        Assert.Equal((2, "paused (unknown)"), (paused.Id, paused.StateText));
    }

    [Fact]
    public void NameOrUuidInUseIsDomExistNamingTheHolder()
    {
        var state = new RegistryState();
        var uuid = Guid.NewGuid();
        state.Define(Parse("held", uuid));

        var byName = Assert.IsType<ErrorReply>(state.Attach(Parse("held", Guid.NewGuid()), DomainState.Running, 0).Reply);
        Assert.Equal(ErrorCode.DomainExists, byName.Code);
        Assert.Contains(uuid.ToString("D"), byName.Message);
        var byUuid = Assert.IsType<ErrorReply>(state.Attach(Parse("other", uuid), DomainState.Running, 0).Reply);
        Assert.Equal(ErrorCode.DomainExists, byUuid.Code);
        Assert.Contains("'held'", byUuid.Message);
        Assert.Equal(ErrorCode.InternalError, Assert.IsType<ErrorReply>(state.Attach(Parse("x", Guid.NewGuid()), DomainState.Shutoff, 0).Reply).Code);
        Assert.Equal(1, state.Count);
    }

    [Fact]
    public void AbandonedAttachLeavesWithoutAnEventAndOnlyForAnAttachedDomain()
    {
        var state = new RegistryState();
        var uuid = Guid.NewGuid();
        state.Attach(Parse("a", uuid), DomainState.Running, 0);
        var gone = state.AbandonAttach(new DomainUuid(uuid));
        Assert.True(gone.Succeeded);
        Assert.Empty(gone.Events);
        Assert.Null(state.Find(new DomainUuid(uuid)));

        var defined = Guid.NewGuid();
        state.Define(Parse("p", defined));
        Assert.Equal(ErrorCode.OperationInvalid, Assert.IsType<ErrorReply>(state.AbandonAttach(new DomainUuid(defined)).Reply).Code);
        Assert.Equal(ErrorCode.NoDomain, Assert.IsType<ErrorReply>(state.AbandonAttach(new DomainUuid(Guid.NewGuid())).Reply).Code);
    }
}
