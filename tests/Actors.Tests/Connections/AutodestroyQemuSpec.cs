using System.Diagnostics;
using Akka.Actor;
using Akka.TestKit;
using Virt.Actors.Config;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Events;
using Virt.Supervisor.Status;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;
using static Virt.Actors.Connections.ConnectionCommands;
using static Virt.Actors.Connections.ConnectionReplies;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Tests.Connections;

/// <summary>Autodestroy end to end: real registry, real domain actors, real QEMU running the test guest.</summary>
public sealed class AutodestroyQemuSpec : Akka.TestKit.Xunit2.TestKit
{
    private static readonly TimeSpan StartWait = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new();
    private readonly TestProbe _events;

    public AutodestroyQemuSpec() : base("akka.loglevel = INFO")
    {
        _events = CreateTestProbe();
        Sys.EventStream.Subscribe(_events.Ref, typeof(DomainLifecycleEvent));
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            KillLeftoverQemus();
        }
        finally
        {
            base.Dispose(disposing);
            _temp.Dispose();
        }
    }

    private StatusFileStore StatusFiles => new(_temp.Combine("run", "qemu"));

    /// <summary>QEMU outlives its actors by design, so whatever a failed test left running is killed here by pid.</summary>
    private void KillLeftoverQemus()
    {
        if (!Directory.Exists(StatusFiles.Directory))
            return;
        foreach (var file in StatusFiles.List())
        {
            if (file.Status is not { } status || !IsQemu(status.Pid))
                continue;
            using var process = Process.GetProcessById(status.Pid);
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    private static bool IsQemu(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("qemu-system", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private string Xml(string name, Guid uuid) => $"""
        <domain type='qemu'>
          <name>{name}</name>
          <uuid>{uuid:D}</uuid>
          <memory unit='MiB'>32</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64' machine='pc'>hvm</type>
          </os>
          <devices>
            <disk type='file' device='disk'>
              <driver name='qemu' type='raw'/>
              <source file='{_temp.Combine(name + ".img")}'/>
              <target dev='hda' bus='ide'/>
            </disk>
          </devices>
        </domain>
        """;

    private T Call<T>(IActorRef to, object message, TimeSpan? wait = null)
    {
        to.Tell(message, TestActor);
        return ExpectMsg<T>(wait);
    }

    private void ExpectStopped(DomainUuid uuid, string display)
    {
        var e = _events.FishForMessage<DomainLifecycleEvent>(e => e.Uuid == uuid && e.Type == DomainEventType.Stopped, StartWait);
        Assert.Equal(display, e.Display);
    }

    [Fact]
    public void ClosingTheConnectionDestroysOnlyItsAutodestroyDomain()
    {
        // One image each: QEMU locks its disk image for writing.
        TestGuestImage.Write(_temp.Combine("owned.img"));
        TestGuestImage.Write(_temp.Combine("kept.img"));
        var registry = Sys.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(_temp.Combine("qemu"))));
        var manager = Sys.ActorOf(ConnectionManagerActor.Props(registry));
        var connection = Call<ConnectionOpened>(manager, new OpenConnection(Clients.ReadWrite, null, null)).Connection;
        var (owned, kept) = (new DomainUuid(Guid.NewGuid()), new DomainUuid(Guid.NewGuid()));

        Call<DomainSummary>(connection, new DefineDomain(Xml("kept", kept.Value)));
        var started = Call<DomainSummary>(connection, new CreateDomain(Xml("owned", owned.Value), DomainCreateFlags.Autodestroy), StartWait);
        Assert.Equal((owned, DomainState.Running), (started.Uuid, started.State));
        Assert.Equal(DomainState.Running, Call<DomainSummary>(connection, new StartDomain(DomainRef.ByName("kept")), StartWait).State);
        var ownedStatus = StatusFiles.Read(owned.Value)?.Status;
        var connectionId = connection.Path.Name;
        // The owning connection itself, as a person reads it: not a helper actor's path.
        Assert.Equal($"connection {connectionId} (uid 1000, pid 4242, read-write over unix)", ownedStatus?.AutodestroyOwner);
        Assert.Null(StatusFiles.Read(kept.Value)?.Status?.AutodestroyOwner);
        Assert.True(IsQemu(ownedStatus.Pid));

        Call<ConnectionClosed>(connection, CloseConnection.Instance);

        ExpectStopped(owned, "Stopped Destroyed");
        AwaitAssert(() => Assert.False(IsQemu(ownedStatus.Pid)), StartWait);
        Assert.Null(StatusFiles.Read(owned.Value));
        // A transient domain is gone once destroyed; the other connection's view shows the kept one running.
        var other = Call<ConnectionOpened>(manager, new OpenConnection(Clients.ReadOnly, null, null)).Connection;
        var list = Call<DomainList>(other, new ListDomains());
        Assert.Equal([("kept", DomainState.Running)], list.Domains.Select(d => (d.Name.Value, d.State)));

        Call<DomainSummary>(registry, new DestroyDomain(DomainRef.ByUuid(kept)), StartWait);
        ExpectStopped(kept, "Stopped Destroyed");
    }

    [Fact]
    public void ClosingWhileTheCreateIsInFlightStillDestroysIt()
    {
        TestGuestImage.Write(_temp.Combine("racy.img"));
        var registry = Sys.ActorOf(DomainRegistryActor.Props(ConfigStore.Open(_temp.Combine("qemu"))));
        var manager = Sys.ActorOf(ConnectionManagerActor.Props(registry));
        var connection = Call<ConnectionOpened>(manager, new OpenConnection(Clients.ReadWrite, null, null)).Connection;
        var uuid = new DomainUuid(Guid.NewGuid());

        // The client goes before any answer: the destroy reaches the registry after the create, by name.
        connection.Tell(new CreateDomain(Xml("racy", uuid.Value), DomainCreateFlags.Autodestroy), TestActor);
        connection.Tell(CloseConnection.Instance, TestActor);
        ExpectMsg<ConnectionClosed>();

        ExpectStopped(uuid, "Stopped Destroyed");
        Assert.Null(StatusFiles.Read(uuid.Value));
        Assert.Empty(Call<DomainList>(registry, new ListDomains()).Domains);
    }
}
