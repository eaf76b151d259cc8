using Virt.TestSupport;
using Akka.Actor;
using Akka.TestKit;
using Virt.Actors.Connections;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Connections;

/// <summary>
/// Autodestroy bookkeeping against a probe standing in for the registry, so each rule shows in the messages
/// the registry would get: which starts are recorded, and what is destroyed however the client goes.
/// </summary>
public sealed class AutodestroySpec : Akka.TestKit.Xunit2.TestKit
{
    private readonly TestProbe _registry;
    private readonly IActorRef _manager;

    public AutodestroySpec() : base("akka.loglevel = INFO")
    {
        _registry = CreateTestProbe();
        _manager = Sys.ActorOf(ConnectionManagerActor.Props(_registry.Ref), "connections");
    }

    private ConnectionOpened Open(IEventSink? sink = null, IActorRef? remoteClient = null)
    {
        _manager.Tell(new OpenConnection(Clients.ReadWrite, sink, remoteClient), TestActor);
        return ExpectMsg<ConnectionOpened>();
    }

    private static DomainSummary Running(string name, DomainUuid uuid) =>
        new(new DomainName(name), uuid, Id: 1, DomainState.Running, Reason: 1, Persistent: true, Autostart: false);

    private static string Xml(string name) => SmallDomains.Xml(name, Guid.NewGuid());

    /// <summary>
    /// Sends <paramref name="command"/> through the connection; the registry probe answers <paramref name="reply"/>.
    /// Returns the owner the registry was told of: set for a start with autodestroy, null for any other.
    /// </summary>
    private AutodestroyOwner? Start(IActorRef connection, IDomainCommand command, IDomainReply reply)
    {
        connection.Tell(command, TestActor);
        var received = _registry.ExpectMsg<object>();
        var owned = received as OwnedStart;
        Assert.Equal(command, owned?.Command ?? received);
        _registry.Reply(reply);
        Assert.Equal(reply, ExpectMsg<IDomainReply>());
        return owned?.Owner;
    }

    /// <summary>Starts a domain with autodestroy and checks that the registry is told which connection owns it.</summary>
    private DomainUuid StartOwned(IActorRef connection, long id, string name)
    {
        var uuid = new DomainUuid(Guid.NewGuid());
        var owner = Start(connection, new StartDomain(DomainRef.ByName(name), DomainCreateFlags.Autodestroy), Running(name, uuid));
        Assert.Equal((id, 1000u), (owner!.ConnectionId, owner.Client.Uid));
        Assert.Equal($"connection {id} (uid 1000, pid 4242, read-write over unix)", owner.ToString());
        return uuid;
    }

    private DomainRef ExpectDestroy() => _registry.ExpectMsg<DestroyDomain>().Domain;

    [Fact]
    public void ClosingDestroysExactlyTheDomainsStartedWithAutodestroy()
    {
        var (connection, id) = Open();
        var started = StartOwned(connection, id, "a");
        var created = new DomainUuid(Guid.NewGuid());
        Assert.Equal(id, Start(connection, new CreateDomain(Xml("b"), DomainCreateFlags.Autodestroy), Running("b", created))!.ConnectionId);
        // Not recorded: a plain start, a plain create, and an autodestroy start the registry refused.
        Assert.Null(Start(connection, new StartDomain(DomainRef.ByName("c")), Running("c", new DomainUuid(Guid.NewGuid()))));
        Assert.Null(Start(connection, new CreateDomain(Xml("d")), Running("d", new DomainUuid(Guid.NewGuid()))));
        Start(connection, new StartDomain(DomainRef.ByName("e"), DomainCreateFlags.Autodestroy),
            new ErrorReply(ErrorCode.OperationFailed, "no"));

        Watch(connection);
        Assert.Equal(id, Call<ConnectionClosed>(connection, CloseConnection.Instance).Id);
        ExpectTerminated(connection);

        var destroyed = new[] { ExpectDestroy(), ExpectDestroy() };
        Assert.Equal(new HashSet<DomainRef> { DomainRef.ByUuid(started), DomainRef.ByUuid(created) }, destroyed.ToHashSet());
        // The answers go to the manager, which outlives the connection and logs them.
        Assert.Equal(_manager, _registry.LastSender);
        _registry.Reply(new ErrorReply(ErrorCode.OperationInvalid, "domain 'a' is not running"));
        _registry.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void StoppingTheActorDestroysLikeClosing()
    {
        var (connection, id) = Open();
        var uuid = StartOwned(connection, id, "a");

        // What the socket layer does when the transport closes.
        Sys.Stop(connection);
        Assert.Equal(DomainRef.ByUuid(uuid), ExpectDestroy());
    }

    [Fact]
    public void RemoteClientTerminatedDestroys()
    {
        var client = CreateTestProbe();
        var (connection, id) = Open(remoteClient: client.Ref);
        var uuid = StartOwned(connection, id, "a");
        Watch(connection);

        Sys.Stop(client.Ref);
        ExpectTerminated(connection);
        Assert.Equal(DomainRef.ByUuid(uuid), ExpectDestroy());
    }

    [Fact]
    public void AStartStillInFlightIsDestroyedByReference()
    {
        var (connection, _) = Open();
        connection.Tell(new CreateDomain(Xml("slow"), DomainCreateFlags.Autodestroy), TestActor);
        Assert.IsType<CreateDomain>(_registry.ExpectMsg<OwnedStart>().Command);

        Sys.Stop(connection);
        Assert.Equal(DomainRef.ByName("slow"), ExpectDestroy());
    }

    [Fact]
    public void ADomainThatStoppedIsNoLongerOurs()
    {
        var (connection, id) = Open();
        var gone = StartOwned(connection, id, "gone");
        var kept = StartOwned(connection, id, "kept");

        Sys.EventStream.Publish(DomainLifecycleEvent.Stopped(new DomainName("gone"), gone, StoppedDetail.Shutdown));
        // Stop is a system message and overtakes the mailbox: a read behind the event shows it was handled.
        connection.Tell(new ListDomains(), TestActor);
        _registry.ExpectMsg<ListDomains>();
        Sys.Stop(connection);

        Assert.Equal(DomainRef.ByUuid(kept), ExpectDestroy());
        _registry.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void EventsWatchedForAutodestroyAreNotSentWithoutASubscription()
    {
        var events = CreateTestProbe();
        var (connection, id) = Open(new ProbeSink(events.Ref));
        var uuid = StartOwned(connection, id, "a");

        Sys.EventStream.Publish(DomainLifecycleEvent.Suspended(new DomainName("a"), uuid, SuspendedDetail.Paused));
        Call<EventsSubscribed>(connection, new SubscribeEvents());
        Sys.EventStream.Publish(DomainLifecycleEvent.Resumed(new DomainName("a"), uuid, ResumedDetail.Unpaused));

        Assert.Equal(DomainEventType.Resumed, events.ExpectMsg<DomainLifecycleEvent>().Type);
    }

    [Fact]
    public void AConnectionThatThrowsIsStoppedAndStillDestroys()
    {
        var (connection, id) = Open(ProbeSink.Throwing());
        var uuid = StartOwned(connection, id, "a");
        Call<EventsSubscribed>(connection, new SubscribeEvents());
        Watch(connection);

        EventFilter.Exception<InvalidOperationException>().ExpectOne(() =>
            Sys.EventStream.Publish(DomainLifecycleEvent.Suspended(new DomainName("a"), uuid, SuspendedDetail.Paused)));

        // Terminated, not restarted: a restarted actor would keep its path alive and never terminate.
        ExpectTerminated(connection);
        Assert.Equal(DomainRef.ByUuid(uuid), ExpectDestroy());
    }

    [Fact]
    public void AStuckClientIsDisconnectedAndItsDomainsDestroyed()
    {
        var (connection, id) = Open(ProbeSink.Stuck());
        var uuid = StartOwned(connection, id, "a");
        Call<EventsSubscribed>(connection, new SubscribeEvents());
        Watch(connection);

        Sys.EventStream.Publish(DomainLifecycleEvent.Suspended(new DomainName("a"), uuid, SuspendedDetail.Paused));
        ExpectTerminated(connection);
        Assert.Equal(DomainRef.ByUuid(uuid), ExpectDestroy());
    }

    private T Call<T>(IActorRef connection, object message)
    {
        connection.Tell(message, TestActor);
        return ExpectMsg<T>();
    }
}
