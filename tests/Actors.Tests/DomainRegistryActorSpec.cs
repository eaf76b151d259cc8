using Akka.Actor;
using Akka.TestKit;
using Virt.Actors.Config;
using Virt.Actors.Domains;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests;

public sealed class DomainRegistryActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly TempDirectory _temp = new();
    private readonly TestProbe _events;

    public DomainRegistryActorSpec() : base("akka.loglevel = INFO")
    {
        _events = CreateTestProbe();
        Sys.EventStream.Subscribe(_events.Ref, typeof(DomainLifecycleEvent));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _temp.Dispose();
    }

    private string Dir => _temp.Combine("qemu");

    private IActorRef Registry() => Sys.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(Dir)));

    private T Call<T>(IActorRef registry, object message)
    {
        registry.Tell(message, TestActor);
        return ExpectMsg<T>();
    }

    private void ExpectEvent(string name, string display)
    {
        var evt = _events.ExpectMsg<DomainLifecycleEvent>();
        Assert.Equal((name, display), (evt.Name.Value, evt.Display));
    }

    [Fact]
    public void DefinePersistsPublishesAndLists()
    {
        var registry = Registry();
        var uuid = Guid.NewGuid();

        var summary = Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", uuid)));
        Assert.Equal((new DomainUuid(uuid), true, "shut off (unknown)"), (summary.Uuid, summary.Persistent, summary.StateText));
        ExpectEvent("vm1", "Defined Added");
        Assert.True(File.Exists(Path.Combine(Dir, "vm1.xml")));

        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", uuid, 128)));
        ExpectEvent("vm1", "Defined Updated");

        var list = Call<DomainList>(registry, new ListDomains(ListDomainsFlags.Inactive));
        Assert.Equal(["vm1"], list.Domains.Select(d => d.Name.Value));
        var info = Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm1")));
        Assert.Equal((128UL * 1024, 1, DomainState.Shutoff), (info.MaxMemoryKiB, info.Vcpus, info.Domain.State));
        var xml = Call<DomainXmlDescription>(registry, new GetDomainXml(DomainRef.ByUuid(new DomainUuid(uuid))));
        Assert.Contains("<name>vm1</name>", xml.Xml);
    }

    [Fact]
    public void RescanAddsNewFilesAndUpdatesEditedOnesLeavingTheRestAlone()
    {
        var registry = Registry();
        var edited = Guid.NewGuid();
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", edited)));
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm2", Guid.NewGuid())));
        ExpectEvent("vm1", "Defined Added");
        ExpectEvent("vm2", "Defined Added");

        File.WriteAllText(Path.Combine(Dir, "vm1.xml"), SmallDomains.Xml("vm1", edited, 256));
        File.WriteAllText(Path.Combine(Dir, "vm3.xml"), SmallDomains.Xml("vm3", Guid.NewGuid()));
        File.WriteAllText(Path.Combine(Dir, "broken.xml"), "<domain");
        registry.Tell(DomainRegistryActor.Rescan.Instance);

        var seen = new[] { _events.ExpectMsg<DomainLifecycleEvent>(), _events.ExpectMsg<DomainLifecycleEvent>() }
            .Select(e => $"{e.Name} {e.Display}").Order().ToList();
        Assert.Equal(["vm1 Defined Updated", "vm3 Defined Added"], seen);
        _events.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        var info = Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm1")));
        Assert.Equal(256UL * 1024, info.MaxMemoryKiB);
        Assert.Equal(["vm1", "vm2", "vm3"], Call<DomainList>(registry, new ListDomains()).Domains.Select(d => d.Name.Value));
        Assert.Contains(Call<DomainRegistryActor.ScanReport>(registry, DomainRegistryActor.GetScanReport.Instance).Problems, p => p.FileName == "broken.xml");
    }

    [Fact]
    public void ClashesAndBadXmlAreRefusedWithoutEvents()
    {
        var registry = Registry();
        var uuid = Guid.NewGuid();
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", uuid)));
        ExpectEvent("vm1", "Defined Added");

        var byName = Call<ErrorReply>(registry, new DefineDomain(SmallDomains.Xml("vm1", Guid.NewGuid())));
        Assert.Equal(ErrorCode.DomainExists, byName.Code);
        Assert.Contains(uuid.ToString("D"), byName.Message);
        var byUuid = Call<ErrorReply>(registry, new DefineDomain(SmallDomains.Xml("vm2", uuid)));
        Assert.Equal(ErrorCode.DomainExists, byUuid.Code);
        Assert.Contains("'vm1'", byUuid.Message);
        Assert.Equal(ErrorCode.XmlError, Call<ErrorReply>(registry, new DefineDomain("<domain>")).Code);
        Assert.Equal(ErrorCode.NoDomain, Call<ErrorReply>(registry, new GetDomainInfo(DomainRef.ByName("nope"))).Code);

        Assert.Equal(["vm1.xml"], Directory.GetFiles(Dir).Select(Path.GetFileName));
        _events.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void UndefineDeletesConfigAndPublishes()
    {
        var registry = Registry();
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", Guid.NewGuid())));
        Call<DomainSummary>(registry, new SetAutostart(DomainRef.ByName("vm1"), true));
        ExpectEvent("vm1", "Defined Added");

        Call<DomainSummary>(registry, new UndefineDomain(DomainRef.ByName("vm1")));
        ExpectEvent("vm1", "Undefined Removed");

        Assert.Empty(Directory.GetFiles(Dir));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(Dir, "autostart")));
        Assert.Empty(Call<DomainList>(registry, new ListDomains()).Domains);
        Assert.Equal(ErrorCode.NoDomain, Call<ErrorReply>(registry, new UndefineDomain(DomainRef.ByName("vm1"))).Code);
    }

    [Fact]
    public void UndefinedRunningDomainStaysTransientUntilItStops()
    {
        var registry = Registry();
        var uuid = new DomainUuid(Guid.NewGuid());
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", uuid.Value)));
        ExpectEvent("vm1", "Defined Added");
        // What the domain actor will report once it runs QEMU (next step).
        registry.Tell(new DomainActor.Started(uuid, StartedDetail.Booted, Paused: false));
        ExpectEvent("vm1", "Resumed Unpaused");
        ExpectEvent("vm1", "Started Booted");

        var transient = Call<DomainSummary>(registry, new UndefineDomain(DomainRef.ByName("vm1")));
        Assert.Equal((false, 1), (transient.Persistent, transient.Id));
        ExpectEvent("vm1", "Undefined Removed");
        Assert.False(File.Exists(Path.Combine(Dir, "vm1.xml")));

        registry.Tell(new DomainActor.Stopped(uuid, ShutoffReason.Destroyed));
        ExpectEvent("vm1", "Stopped Destroyed");
        Assert.Empty(Call<DomainList>(registry, new ListDomains()).Domains);
    }

    [Fact]
    public void CreateIsRolledBackWhenTheStartFails()
    {
        var registry = Registry();
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("keep", Guid.NewGuid())));
        ExpectEvent("keep", "Defined Added");

        var broken = SmallDomains.Xml("t", Guid.NewGuid()).Replace("</os>", "</os><devices><emulator>/nonexistent/qemu</emulator></devices>");
        var error = Call<ErrorReply>(registry, new CreateDomain(broken));
        Assert.Contains("/nonexistent/qemu", error.Message);
        Assert.Equal(ErrorCode.OperationFailed, error.Code);
        Assert.Equal(ErrorCode.DomainExists,
            Call<ErrorReply>(registry, new CreateDomain(SmallDomains.Xml("keep", Guid.NewGuid()))).Code);

        AwaitAssert(() => Assert.Equal(["keep"],
            Call<DomainList>(registry, new ListDomains()).Domains.Select(d => d.Name.Value)));
        Assert.False(File.Exists(Path.Combine(Dir, "t.xml")));
        _events.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task ConfigsAndAutostartSurviveANewActorSystem()
    {
        var registry = Registry();
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("a", Guid.NewGuid())));
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("b", Guid.NewGuid())));
        Call<DomainSummary>(registry, new SetAutostart(DomainRef.ByName("b"), true));

        var second = ActorSystem.Create("second");
        try
        {
            var reloaded = second.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(Dir)));
            var list = await reloaded.Ask<DomainList>(new ListDomains(), TimeSpan.FromSeconds(10));
            Assert.Equal([("a", false), ("b", true)], list.Domains.Select(d => (d.Name.Value, d.Autostart)));
            var autostart = await reloaded.Ask<DomainList>(new ListDomains(ListDomainsFlags.Autostart), TimeSpan.FromSeconds(10));
            Assert.Equal(["b"], autostart.Domains.Select(d => d.Name.Value));
        }
        finally
        {
            await second.Terminate();
        }
    }

    [Fact]
    public void BrokenFileIsSkippedAndReported()
    {
        ConfigStore.Open(Dir).Save(SmallDomains.Definition("good"));
        File.WriteAllText(Path.Combine(Dir, "broken.xml"), "<domain type='qemu'>");

        IActorRef registry = null!;
        EventFilter.Warning(contains: "broken.xml").ExpectOne(() => registry = Registry());

        var report = Call<DomainRegistryActor.ScanReport>(registry, DomainRegistryActor.GetScanReport.Instance);
        Assert.Equal("broken.xml", Assert.Single(report.Problems).FileName);
        Assert.Equal(["good"], Call<DomainList>(registry, new ListDomains()).Domains.Select(d => d.Name.Value));
        Assert.True(File.Exists(Path.Combine(Dir, "broken.xml")));
    }

    [Fact]
    public async Task A_shut_off_domain_gets_its_child_named_by_uuid_on_first_use()
    {
        var registry = Registry();
        var uuid = Guid.NewGuid();
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", uuid)));
        // Lookups, lists, dominfo and dumpxml of a shut-off domain are the registry's: no actor yet.
        Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm1")));
        Call<DomainXmlDescription>(registry, new GetDomainXml(DomainRef.ByName("vm1")));
        await Assert.ThrowsAsync<ActorNotFoundException>(() => Sys.ActorSelection(registry.Path / uuid.ToString("D")).ResolveOne(TimeSpan.FromSeconds(1)));

        // A command only the domain's actor answers makes it.
        Assert.Contains("not running", Call<ErrorReply>(registry, new SuspendDomain(DomainRef.ByName("vm1"))).Message);
        var child = await Sys.ActorSelection(registry.Path / uuid.ToString("D")).ResolveOne(TimeSpan.FromSeconds(3));
        var watcher = CreateTestProbe();
        watcher.Watch(child);
        Call<DomainSummary>(registry, new UndefineDomain(DomainRef.ByName("vm1")));
        watcher.ExpectTerminated(child);

        // The same UUID defined again right away gets a fresh child once the old name is free.
        Call<DomainSummary>(registry, new DefineDomain(SmallDomains.Xml("vm1", uuid)));
        AwaitAssert(() => Assert.Equal(DomainState.Shutoff,
            Call<DomainInfo>(registry, new GetDomainInfo(DomainRef.ByName("vm1"))).Domain.State));
    }
}
