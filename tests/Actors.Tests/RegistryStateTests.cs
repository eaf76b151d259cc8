using Virt.TestSupport;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests;

public class RegistryStateTests
{
    private readonly RegistryState _state = new();

    private static DomainSummary Summary(RegistryOutcome o) => Assert.IsType<DomainSummary>(o.Reply);

    private static ErrorReply Error(RegistryOutcome o, ErrorCode code)
    {
        var error = Assert.IsType<ErrorReply>(o.Reply);
        Assert.Equal(code, error.Code);
        Assert.Empty(o.Events);
        return error;
    }

    [Fact]
    public void DefineNewDomainIsPersistentShutOffAndAdded()
    {
        var def = SmallDomains.Definition("a");
        var outcome = _state.Define(def);

        var summary = Summary(outcome);
        Assert.Equal(("a", DomainState.Shutoff, null, true, false),
            (summary.Name.Value, summary.State, summary.Id, summary.Persistent, summary.Autostart));
        var evt = Assert.Single(outcome.Events);
        Assert.Equal("Defined Added", evt.Display);
        Assert.Equal(new DomainUuid(def.Uuid), evt.Uuid);
    }

    [Fact]
    public void RedefineSameNameAndUuidIsUpdatedAndReplacesConfig()
    {
        var uuid = Guid.NewGuid();
        _state.Define(SmallDomains.Definition("a", uuid, 64));
        var outcome = _state.Define(SmallDomains.Definition("a", uuid, 128));

        Assert.Equal("Defined Updated", Assert.Single(outcome.Events).Display);
        Assert.Equal(128UL * 1024, _state.Find(new DomainUuid(uuid))!.Definition.MemoryKiB);
        Assert.Equal(1, _state.Count);
    }

    [Fact]
    public void DefineSameNameOtherUuidIsRefusedNamingTheHolder()
    {
        var holder = Guid.NewGuid();
        _state.Define(SmallDomains.Definition("a", holder));
        var error = Error(_state.Define(SmallDomains.Definition("a")), ErrorCode.DomainExists);

        Assert.Contains(holder.ToString("D"), error.Message);
        Assert.Equal(1, _state.Count);
    }

    [Fact]
    public void DefineSameUuidOtherNameIsRefusedNamingTheHolder()
    {
        var uuid = Guid.NewGuid();
        _state.Define(SmallDomains.Definition("a", uuid));
        var error = Error(_state.Define(SmallDomains.Definition("b", uuid)), ErrorCode.DomainExists);

        Assert.Contains("'a'", error.Message);
        Assert.Null(_state.Find(DomainRef.ByName("b")));
    }

    [Fact]
    public void DefineWhileRunningKeepsLiveConfigUntilNextStart()
    {
        var uuid = new DomainUuid(Guid.NewGuid());
        _state.Define(SmallDomains.Definition("a", uuid.Value, 64));
        _state.MarkStarted(uuid);

        Assert.Equal("Defined Updated", Assert.Single(_state.Define(SmallDomains.Definition("a", uuid.Value, 256)).Events).Display);
        var running = _state.Find(uuid)!;
        Assert.Equal(64UL * 1024, running.Definition.MemoryKiB);
        Assert.Equal(256UL * 1024, running.Config.MemoryKiB);

        _state.MarkStopped(uuid, ShutoffReason.Shutdown);
        Assert.Equal(256UL * 1024, _state.Find(uuid)!.Definition.MemoryKiB);
    }

    [Fact]
    public void A_restore_reports_started_restored_then_its_vcpus_and_a_save_stopped_saved()
    {
        var uuid = new DomainUuid(Guid.NewGuid());
        _state.Define(SmallDomains.Definition("a", uuid.Value));
        var running = _state.MarkStarted(uuid, StartedDetail.Restored);
        Assert.Equal(["Started Restored", "Resumed Unpaused"], running.Events.Select(e => e.Display));
        Assert.Equal((DomainState.Running, (int)RunningReason.Restored), (_state.Find(uuid)!.State, _state.Find(uuid)!.Reason));

        Assert.Equal("Stopped Saved", Assert.Single(_state.MarkStopped(uuid, ShutoffReason.Saved).Events).Display);
        Assert.Equal("shut off (saved)", _state.Find(uuid)!.ToSummary().StateText);

        var paused = _state.MarkStarted(uuid, StartedDetail.Restored, paused: true, SuspendedDetail.Restored);
        Assert.Equal(["Started Restored", "Suspended Restored"], paused.Events.Select(e => e.Display));
    }

    [Fact]
    public void UndefineInactiveRemovesIt()
    {
        _state.Define(SmallDomains.Definition("a"));
        var outcome = _state.Undefine(DomainRef.ByName("a"));

        Assert.Equal("Undefined Removed", Assert.Single(outcome.Events).Display);
        Error(_state.Lookup(DomainRef.ByName("a")), ErrorCode.NoDomain);
        Assert.Equal(0, _state.Count);
    }

    [Fact]
    public void UndefineRunningMakesItTransientUntilItStops()
    {
        var uuid = new DomainUuid(Guid.NewGuid());
        _state.Define(SmallDomains.Definition("a", uuid.Value));
        _state.SetAutostart(DomainRef.ByUuid(uuid), true);
        _state.MarkStarted(uuid);

        var undefined = _state.Undefine(DomainRef.ByName("a"));
        Assert.Equal("Undefined Removed", Assert.Single(undefined.Events).Display);
        var summary = Summary(_state.Lookup(DomainRef.ByName("a")));
        Assert.Equal((false, false, DomainState.Running), (summary.Persistent, summary.Autostart, summary.State));

        var stopped = _state.MarkStopped(uuid, ShutoffReason.Destroyed);
        Assert.Equal("Stopped Destroyed", Assert.Single(stopped.Events).Display);
        Error(_state.Lookup(DomainRef.ByUuid(uuid)), ErrorCode.NoDomain);
    }

    [Fact]
    public void UndefineTransientOrMissingIsRefused()
    {
        var def = SmallDomains.Definition("t");
        _state.PrepareCreate(def);
        _state.MarkStarted(new DomainUuid(def.Uuid));

        Error(_state.Undefine(DomainRef.ByName("t")), ErrorCode.OperationInvalid);
        Error(_state.Undefine(DomainRef.ByName("missing")), ErrorCode.NoDomain);
    }

    [Fact]
    public void CreateMakesTransientThatStartsWithAnIdAndVanishesWhenStopped()
    {
        var def = SmallDomains.Definition("t");
        var uuid = new DomainUuid(def.Uuid);
        Assert.False(Summary(_state.PrepareCreate(def)).Persistent);

        var started = _state.MarkStarted(uuid);
        Assert.Equal(LibvirtLifecycle.Start, started.Events.Select(e => e.Display));
        var summary = Summary(started);
        Assert.Equal((1, DomainState.Running, (int)RunningReason.Booted), (summary.Id, summary.State, summary.Reason));
        Assert.Equal("running (booted)", summary.StateText);

        Assert.Equal("Stopped Shutdown", Assert.Single(_state.MarkStopped(uuid, ShutoffReason.Shutdown).Events).Display);
        Assert.Equal(0, _state.Count);
    }

    [Fact]
    public void CreateClashesFollowLibvirt()
    {
        var running = SmallDomains.Definition("r");
        _state.PrepareCreate(running);
        _state.MarkStarted(new DomainUuid(running.Uuid));

        Error(_state.PrepareCreate(running), ErrorCode.OperationInvalid);
        Error(_state.PrepareCreate(SmallDomains.Definition("r")), ErrorCode.DomainExists);
        Error(_state.PrepareCreate(SmallDomains.Definition("other", running.Uuid)), ErrorCode.DomainExists);
    }

    [Fact]
    public void CreateOverInactivePersistentRunsNewDefinitionAndKeepsConfig()
    {
        var uuid = new DomainUuid(Guid.NewGuid());
        _state.Define(SmallDomains.Definition("p", uuid.Value, 64));
        Assert.True(Summary(_state.PrepareCreate(SmallDomains.Definition("p", uuid.Value, 512))).Persistent);
        _state.MarkStarted(uuid);
        Assert.Equal(512UL * 1024, _state.Find(uuid)!.Definition.MemoryKiB);

        _state.MarkStopped(uuid, ShutoffReason.Destroyed);
        var after = _state.Find(uuid)!;
        Assert.Equal(64UL * 1024, after.Definition.MemoryKiB);
        Assert.Equal("shut off (destroyed)", after.ToSummary().StateText);
    }

    [Fact]
    public void AbandonedStartDropsTransientAndMarksPersistentFailed()
    {
        var transient = SmallDomains.Definition("t");
        _state.PrepareCreate(transient);
        Assert.Empty(_state.AbandonStart(new DomainUuid(transient.Uuid)).Events);
        Assert.Equal(0, _state.Count);

        var persistent = SmallDomains.Definition("p");
        _state.Define(persistent);
        _state.AbandonStart(new DomainUuid(persistent.Uuid));
        Assert.Equal("shut off (failed)", Summary(_state.Lookup(DomainRef.ByName("p"))).StateText);
    }

    [Fact]
    public void LookupByNameUuidAndIdWhileActive()
    {
        var def = SmallDomains.Definition("a");
        var uuid = new DomainUuid(def.Uuid);
        _state.Define(def);
        Error(_state.Lookup(DomainRef.ById(1)), ErrorCode.NoDomain);

        _state.MarkStarted(uuid);
        Assert.Equal(uuid, Summary(_state.Lookup(DomainRef.ByName("a"))).Uuid);
        Assert.Equal("a", Summary(_state.Lookup(DomainRef.ByUuid(uuid))).Name.Value);
        Assert.Equal("a", Summary(_state.Lookup(DomainRef.ById(1))).Name.Value);

        _state.MarkStopped(uuid, ShutoffReason.Shutdown);
        Error(_state.Lookup(DomainRef.ById(1)), ErrorCode.NoDomain);
        _state.MarkStarted(uuid);
        Assert.Equal(2, Summary(_state.Lookup(DomainRef.ByName("a"))).Id);
    }

    [Fact]
    public void ListFiltersFollowLibvirtGroups()
    {
        _state.Define(SmallDomains.Definition("a-off-autostart"));
        _state.SetAutostart(DomainRef.ByName("a-off-autostart"), true);
        var b = SmallDomains.Definition("b-running");
        _state.Define(b);
        _state.MarkStarted(new DomainUuid(b.Uuid));
        var c = SmallDomains.Definition("c-transient");
        _state.PrepareCreate(c);
        _state.MarkStarted(new DomainUuid(c.Uuid));
        var d = SmallDomains.Definition("d-paused");
        _state.Define(d);
        _state.MarkStarted(new DomainUuid(d.Uuid), paused: true);

        string[] Names(ListDomainsFlags f) => _state.List(f).Domains.Select(s => s.Name.Value).ToArray();

        Assert.Equal(["b-running", "c-transient", "d-paused", "a-off-autostart"], Names(ListDomainsFlags.All));
        Assert.Equal(["b-running", "c-transient", "d-paused"], Names(ListDomainsFlags.Active));
        Assert.Equal(["a-off-autostart"], Names(ListDomainsFlags.Inactive));
        Assert.Equal(["b-running", "d-paused", "a-off-autostart"], Names(ListDomainsFlags.Persistent));
        Assert.Equal(["c-transient"], Names(ListDomainsFlags.Transient));
        Assert.Equal(["a-off-autostart"], Names(ListDomainsFlags.Autostart));
        Assert.Equal(["b-running", "c-transient", "d-paused"], Names(ListDomainsFlags.NoAutostart));
        Assert.Equal(["b-running", "c-transient"], Names(ListDomainsFlags.Running));
        Assert.Equal(["d-paused"], Names(ListDomainsFlags.Paused));
        Assert.Equal(["d-paused", "a-off-autostart"], Names(ListDomainsFlags.Paused | ListDomainsFlags.Shutoff));
        Assert.Equal(["b-running", "d-paused"], Names(ListDomainsFlags.Active | ListDomainsFlags.Persistent));
        Assert.Empty(Names(ListDomainsFlags.HasSnapshot));
    }

    [Fact]
    public void StartedPausedReportsStartedThenSuspended()
    {
        var def = SmallDomains.Definition("p");
        _state.Define(def);
        var outcome = _state.MarkStarted(new DomainUuid(def.Uuid), paused: true);

        Assert.Equal(["Started Booted", "Suspended Paused"], outcome.Events.Select(e => e.Display));
        Assert.Equal("paused (user)", Summary(outcome).StateText);
    }

    [Fact]
    public void AutostartOnlyForPersistentDomains()
    {
        _state.Define(SmallDomains.Definition("p"));
        Assert.True(Summary(_state.SetAutostart(DomainRef.ByName("p"), true)).Autostart);
        Assert.False(Summary(_state.SetAutostart(DomainRef.ByName("p"), false)).Autostart);

        _state.PrepareCreate(SmallDomains.Definition("t"));
        Error(_state.SetAutostart(DomainRef.ByName("t"), true), ErrorCode.OperationInvalid);
        Error(_state.SetAutostart(DomainRef.ByName("none"), true), ErrorCode.NoDomain);
    }

    [Fact]
    public void DefineRunningTransientMakesItPersistentAsAdded()
    {
        var def = SmallDomains.Definition("t");
        _state.PrepareCreate(def);
        _state.MarkStarted(new DomainUuid(def.Uuid));

        var outcome = _state.Define(def);
        Assert.Equal("Defined Added", Assert.Single(outcome.Events).Display);
        Assert.True(Summary(outcome).Persistent);
    }

    [Fact]
    public void NamesThatCannotBeFileNamesAreRefused()
    {
        Error(_state.Define(SmallDomains.Definition("a") with { Name = "a/b" }), ErrorCode.XmlError);
        Error(_state.Define(SmallDomains.Definition("a") with { Name = ".hidden" }), ErrorCode.XmlError);
        Error(_state.Define(SmallDomains.Definition("a") with { Name = new string('x', 252) }), ErrorCode.XmlError);
    }

    [Fact]
    public void LoadRefusesClashesWithoutEvents()
    {
        var uuid = Guid.NewGuid();
        Assert.Empty(_state.Load(SmallDomains.Definition("a", uuid), autostart: true).Events);
        Assert.True(_state.Find(new DomainUuid(uuid))!.Autostart);
        Error(_state.Load(SmallDomains.Definition("b", uuid), false), ErrorCode.DomainExists);
        Error(_state.Load(SmallDomains.Definition("a"), false), ErrorCode.DomainExists);
    }

    [Fact]
    public void RevertPutsBackThePreviousEntry()
    {
        var uuid = new DomainUuid(Guid.NewGuid());
        _state.Define(SmallDomains.Definition("a", uuid.Value, 64));
        var before = _state.Find(uuid);
        _state.Define(SmallDomains.Definition("a", uuid.Value, 128));
        _state.Revert(uuid, before);
        Assert.Equal(64UL * 1024, _state.Find(uuid)!.Definition.MemoryKiB);

        _state.Revert(uuid, null);
        Assert.Null(_state.Find(DomainRef.ByName("a")));
    }
}
