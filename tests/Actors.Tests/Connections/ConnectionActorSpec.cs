using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.TestKit;
using Virt.Actors.Config;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.TestSupport;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Connections;

/// <summary>Commands, read-only refusal and events, through the manager in front of the real registry or a probe.</summary>
public sealed class ConnectionActorSpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly TempDirectory _temp = new();

    public ConnectionActorSpec() : base("akka.loglevel = INFO")
    {
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _temp.Dispose();
    }

    private IActorRef RealRegistry() => Sys.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(_temp.Combine("qemu"))));

    private ConnectionOpened Open(IActorRef registry, ClientInfo client, IEventSink? sink = null)
    {
        var manager = Sys.ActorOf(ConnectionManagerActor.Props(registry));
        manager.Tell(new OpenConnection(client, sink, null), TestActor);
        return ExpectMsg<ConnectionOpened>();
    }

    private T Call<T>(IActorRef connection, object message)
    {
        connection.Tell(message, TestActor);
        return ExpectMsg<T>();
    }

    private static IEnumerable<Type> CommandTypes(bool writes) =>
        typeof(IDomainCommand).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDomainCommand).IsAssignableFrom(t))
            .Where(t => typeof(IWriteCommand).IsAssignableFrom(t) == writes);

    // Field values do not matter for routing; an uninitialised instance stands for any instance of the type.
    private static IDomainCommand Instance(Type t) => (IDomainCommand)RuntimeHelpers.GetUninitializedObject(t);

    [Fact]
    public void CommandsReachTheRegistryAndRepliesTheAsker()
    {
        var connection = Open(RealRegistry(), Clients.ReadWrite).Connection;
        var uuid = Guid.NewGuid();

        var defined = Call<DomainSummary>(connection, new DefineDomain(SmallDomains.Xml("vm1", uuid)));
        Assert.Equal(("vm1", new DomainUuid(uuid)), (defined.Name.Value, defined.Uuid));
        Assert.Equal(["vm1"], Call<DomainList>(connection, new ListDomains()).Domains.Select(d => d.Name.Value));
        Assert.Equal(ErrorCode.NoDomain, Call<ErrorReply>(connection, new GetDomainInfo(DomainRef.ByName("nope"))).Code);

        // A second asker on the same connection gets its own reply, not the first asker's.
        var other = CreateTestProbe();
        connection.Tell(new LookupDomain(DomainRef.ByName("vm1")), other);
        Assert.Equal(new DomainUuid(uuid), other.ExpectMsg<DomainSummary>().Uuid);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void AutodestroyCreateThatFailsRepliesTheRegistryError()
    {
        var connection = Open(RealRegistry(), Clients.ReadWrite).Connection;
        Call<DomainSummary>(connection, new DefineDomain(SmallDomains.Xml("keep", Guid.NewGuid())));

        // Refused before any QEMU could start: the name is taken, the document is broken.
        var clash = Call<ErrorReply>(connection, new CreateDomain(SmallDomains.Xml("keep", Guid.NewGuid()), DomainCreateFlags.Autodestroy));
        Assert.Equal(ErrorCode.DomainExists, clash.Code);
        var bad = Call<ErrorReply>(connection, new CreateDomain("<domain>", DomainCreateFlags.Autodestroy));
        Assert.Equal(ErrorCode.XmlError, bad.Code);
    }

    [Fact]
    public void ReadOnlyConnectionRefusesEveryWriteCommand()
    {
        var registry = CreateTestProbe();
        var connection = Open(registry.Ref, Clients.ReadOnly).Connection;
        var writes = CommandTypes(writes: true).ToList();
        Assert.Contains(typeof(DestroyDomain), writes);

        foreach (var type in writes)
        {
            var error = Call<ErrorReply>(connection, Instance(type));
            Assert.Equal(ErrorCode.OperationDenied, error.Code);
            // Named as a person reads it, by its procedure, never by its .NET type.
            Assert.Equal($"operation forbidden: read only access prevents {Virt.Protocol.Rpc.Procedures.CommandTypes[type]}", error.Message);
            Assert.DoesNotContain(type.Name, error.Message);
        }

        // The connection handles its mail in order: the first thing the registry sees is the read after them.
        connection.Tell(new ListDomains(), TestActor);
        registry.ExpectMsg<ListDomains>();
    }

    [Fact]
    public void ReadOnlyConnectionForwardsEveryReadCommand()
    {
        var registry = CreateTestProbe();
        var connection = Open(registry.Ref, Clients.ReadOnly).Connection;
        var reads = CommandTypes(writes: false).ToList();
        Assert.Contains(typeof(GetDomainXml), reads);

        foreach (var type in reads)
        {
            connection.Tell(Instance(type), TestActor);
            Assert.IsType(type, registry.ReceiveOne(TimeSpan.FromSeconds(3)));
            // Forwarded, so the registry answers the asker directly.
            Assert.Equal(TestActor, registry.LastSender);
        }
    }

    [Fact]
    public void ReadOnlyConnectionMaySubscribe()
    {
        var connection = Open(RealRegistry(), Clients.ReadOnly, new ProbeSink(TestActor)).Connection;
        Assert.Equal(EventSubscription.All, Call<EventsSubscribed>(connection, new SubscribeEvents()).Subscription);
    }

    [Fact]
    public void EventsAreFilteredByDomainAndType()
    {
        var registry = RealRegistry();
        var events = CreateTestProbe();
        var admin = Open(registry, Clients.ReadWrite).Connection;
        var connection = Open(registry, Clients.ReadOnly, new ProbeSink(events.Ref)).Connection;
        var (vm1, vm2) = (Guid.NewGuid(), Guid.NewGuid());
        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("vm1", vm1)));
        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("vm2", vm2)));

        var subscribed = Call<EventsSubscribed>(connection, new SubscribeEvents(DomainRef.ByName("vm1"), [DomainEventType.Defined]));
        Assert.Equal(new DomainUuid(vm1), subscribed.Subscription.Domain);

        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("vm2", vm2, 128)));
        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("vm1", vm1, 128)));
        Call<DomainSummary>(admin, new UndefineDomain(DomainRef.ByName("vm1")));
        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("vm1", vm1)));

        // vm2's change and vm1's undefine are filtered out; events arrive in publish order.
        Assert.Equal(["Defined Updated", "Defined Added"],
            new[] { events.ExpectMsg<DomainLifecycleEvent>(), events.ExpectMsg<DomainLifecycleEvent>() }
                .Select(e => (e.Uuid == new DomainUuid(vm1) ? "" : "wrong domain ") + e.Display));
    }

    [Fact]
    public void SubscribingToAMissingDomainIsRefused()
    {
        var connection = Open(RealRegistry(), Clients.ReadWrite, new ProbeSink(TestActor)).Connection;
        Assert.Equal(ErrorCode.NoDomain, Call<ErrorReply>(connection, new SubscribeEvents(DomainRef.ByName("nope"))).Code);
        Assert.Equal(ErrorCode.NoDomain,
            Call<ErrorReply>(connection, new SubscribeEvents(DomainRef.ByUuid(new DomainUuid(Guid.NewGuid())))).Code);
    }

    [Fact]
    public void NoEventsBeforeSubscribingOrAfterUnsubscribing()
    {
        var registry = RealRegistry();
        var events = CreateTestProbe();
        var admin = Open(registry, Clients.ReadWrite).Connection;
        var connection = Open(registry, Clients.ReadOnly, new ProbeSink(events.Ref)).Connection;

        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("before", Guid.NewGuid())));
        Call<EventsSubscribed>(connection, new SubscribeEvents());
        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("during", Guid.NewGuid())));
        Call<EventsUnsubscribed>(connection, UnsubscribeEvents.Instance);
        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("after", Guid.NewGuid())));
        Call<EventsSubscribed>(connection, new SubscribeEvents());
        Call<DomainSummary>(admin, new DefineDomain(SmallDomains.Xml("again", Guid.NewGuid())));

        Assert.Equal("during", events.ExpectMsg<DomainLifecycleEvent>().Name.Value);
        Assert.Equal("again", events.ExpectMsg<DomainLifecycleEvent>().Name.Value);
    }

    [Fact]
    public void ARemoteClientIsToldItsEvents()
    {
        var client = CreateTestProbe();
        var manager = Sys.ActorOf(ConnectionManagerActor.Props(CreateTestProbe().Ref));
        manager.Tell(new OpenConnection(Clients.ReadWrite, null, client.Ref), TestActor);
        var connection = ExpectMsg<ConnectionOpened>().Connection;
        Call<EventsSubscribed>(connection, new SubscribeEvents(null, [DomainEventType.Started]));

        var uuid = new DomainUuid(Guid.NewGuid());
        Sys.EventStream.Publish(DomainLifecycleEvent.Defined(new DomainName("x"), uuid, DefinedDetail.Added));
        Sys.EventStream.Publish(DomainLifecycleEvent.Started(new DomainName("x"), uuid, StartedDetail.Booted));

        Assert.Equal("Started Booted", client.ExpectMsg<DomainLifecycleEvent>().Display);
        Assert.Equal(connection, client.LastSender);
    }

    [Fact]
    public void AnUnsubscribeOvertakingTheDomainLookupWins()
    {
        var registry = CreateTestProbe();
        var events = CreateTestProbe();
        var connection = Open(registry.Ref, Clients.ReadWrite, new ProbeSink(events.Ref)).Connection;
        var uuid = new DomainUuid(Guid.NewGuid());

        connection.Tell(new SubscribeEvents(DomainRef.ByName("vm")), TestActor);
        registry.ExpectMsg<LookupDomain>();
        Call<EventsUnsubscribed>(connection, UnsubscribeEvents.Instance);
        registry.Reply(new DomainSummary(new DomainName("vm"), uuid, null, DomainState.Shutoff, 0, true, false));
        Assert.Equal(ErrorCode.OperationInvalid, ExpectMsg<ErrorReply>().Code);

        // Still unsubscribed: only the event after a new subscription arrives.
        Sys.EventStream.Publish(DomainLifecycleEvent.Defined(new DomainName("vm"), uuid, DefinedDetail.Updated));
        Call<EventsSubscribed>(connection, new SubscribeEvents());
        Sys.EventStream.Publish(DomainLifecycleEvent.Undefined(new DomainName("vm"), uuid, UndefinedDetail.Removed));
        Assert.Equal(DomainEventType.Undefined, events.ExpectMsg<DomainLifecycleEvent>().Type);
    }

    [Fact]
    public void ASinkThatRefusesClosesTheConnection()
    {
        var connection = Open(CreateTestProbe().Ref, Clients.ReadWrite, ProbeSink.Stuck()).Connection;
        Watch(connection);
        Call<EventsSubscribed>(connection, new SubscribeEvents());

        Sys.EventStream.Publish(DomainLifecycleEvent.Defined(new DomainName("x"), new DomainUuid(Guid.NewGuid()), DefinedDetail.Added));
        ExpectTerminated(connection);
    }

    [Fact]
    public void ConnectionsAreNamedByACounter()
    {
        var manager = Sys.ActorOf(ConnectionManagerActor.Props(CreateTestProbe().Ref), "connections");
        manager.Tell(new OpenConnection(Clients.ReadWrite, null, null), TestActor);
        var first = ExpectMsg<ConnectionOpened>();
        manager.Tell(new OpenConnection(Clients.ReadOnly, null, null), TestActor);
        var second = ExpectMsg<ConnectionOpened>();

        Assert.Equal((1L, "/user/connections/1"), (first.Id, first.Connection.Path.ToStringWithoutAddress()));
        Assert.Equal((2L, "/user/connections/2"), (second.Id, second.Connection.Path.ToStringWithoutAddress()));
    }

    [Fact]
    public void CloseReplies()
    {
        var connection = Open(CreateTestProbe().Ref, Clients.ReadWrite).Connection;
        Watch(connection);
        Assert.Equal(1, Call<ConnectionClosed>(connection, CloseConnection.Instance).Id);
        ExpectTerminated(connection);
    }
}
