using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Cluster;

// Migration between nodes: offline moves of a config, and live migration led by the source.
public sealed partial class ClusterFrontActor
{
    /// <summary>
    /// An offline move (migrate --offline --persistent): the name passes to the destination in the directory, the
    /// destination defines the config, then this node undefines it; a failure at any step puts back what was done.
    /// </summary>
    private void Move(MigrateDomain migrate, IActorRef replyTo)
    {
        var offline = migrate.Flags.HasFlag(DomainMigrateFlags.Offline);
        var refusal =
            offline && migrate.Flags.HasFlag(DomainMigrateFlags.Live)
                ? new ErrorReply(ErrorCode.InvalidArg, "--live and --offline are mutually exclusive")
            : offline && !migrate.Flags.HasFlag(DomainMigrateFlags.Persistent)
                ? new ErrorReply(ErrorCode.InvalidArg, "offline migration requires --persistent")
            : migrate.TimeoutSeconds is < 1 ? new ErrorReply(ErrorCode.InvalidArg, "migrate timeout must be at least 1 second")
            : migrate.TimeoutSeconds is not null && !migrate.Flags.HasFlag(DomainMigrateFlags.Live)
                ? new ErrorReply(ErrorCode.InvalidArg, "migrate: --timeout requires --live")
            : migrate.Node == Self_ ? new ErrorReply(ErrorCode.OperationInvalid, $"the domain is already on node {Self_}")
            : _members.Find(migrate.Node) is not { } node ? new ErrorReply(ErrorCode.InvalidArg, $"no node named '{migrate.Node}' in the cluster")
            : !node.Reachable ? new ErrorReply(ErrorCode.OperationFailed, $"node {migrate.Node} cannot be reached (host unreachable)")
            : null;
        if (refusal is not null)
        {
            replyTo.Tell(refusal);
            return;
        }
        var destination = FrontOf(_members.Find(migrate.Node)!);
        (offline ? MoveAsync(migrate, destination, Self) : MigrateAsync(migrate, destination, Self))
            .PipeTo(Self, success: r => new Moved(replyTo, r.Reply, r.Domain),
                failure: e => new Moved(replyTo, new ErrorReply(ErrorCode.OperationFailed, $"the move did not complete: {e.Message}"), null));
    }

    private async Task<(object Reply, string? Domain)> MoveAsync(MigrateDomain migrate, ActorSelection destination, IActorRef self)
    {
        var (local, directory, source, timeout) = (_local, _directory, Self_, _callTimeout);
        if (await local.Ask<IDomainReply>(new LookupDomain(migrate.Domain), timeout).ConfigureAwait(false) is not DomainSummary domain)
            return (new ErrorReply(ErrorCode.NoDomain, $"Domain not found: no domain with matching {migrate.Domain}"), null);
        if (domain.Active)
            return (new ErrorReply(ErrorCode.OperationInvalid, "domain is running: migrate it without --offline, or shut it off first"), null);
        var name = domain.Name.Value;
        if (await local.Ask<IDomainReply>(new GetDomainXml(migrate.Domain, Inactive: true, Secure: true), timeout).ConfigureAwait(false)
            is not DomainXmlDescription config)
            return (new ErrorReply(ErrorCode.OperationFailed, $"cannot read the config of '{name}'"), null);
        self.Tell(new MoveBegins(name));
        var uuid = domain.Uuid.ToString();
        var transfer = await directory.Ask<NameClaimed>(new TransferName(name, uuid, source, migrate.Node), _settings.AskTimeout).ConfigureAwait(false);
        if (!transfer.Granted)
            return (new ErrorReply(ErrorCode.OperationFailed, transfer.Reason ?? "the name directory refused the move"), name);
        self.Tell(new NameMoved(name, uuid, migrate.Node));
        var accepted = await destination.Ask<object>(new AcceptMoved(config.Xml), timeout).ConfigureAwait(false);
        if (accepted is not DomainSummary moved)
        {
            directory.Tell(new TransferName(name, uuid, migrate.Node, source));
            self.Tell(new NameMoved(name, uuid, source));
            return (accepted, name);
        }
        if (await local.Ask<IDomainReply>(new UndefineDomain(migrate.Domain), timeout).ConfigureAwait(false) is ErrorReply undefineFailed)
        {
            // Both nodes have it now: the destination's copy goes, and the name comes back.
            await destination.Ask<object>(new UndefineDomain(DomainRef.ByUuid(domain.Uuid)), timeout).ConfigureAwait(false);
            directory.Tell(new TransferName(name, uuid, migrate.Node, source));
            return (undefineFailed, name);
        }
        return (moved with { Host = migrate.Node }, name);
    }

    /// <summary>
    /// A live migration, led by the source: the destination starts QEMU waiting for the stream, this QEMU sends it
    /// (domjobinfo and domjobabort follow it), the destination runs the guest, the name passes to it, this QEMU ends.
    /// Until the destination runs it the guest stays here: any failure ends the destination's QEMU and runs it on.
    /// </summary>
    private async Task<(object Reply, string? Domain)> MigrateAsync(MigrateDomain migrate, ActorSelection destination, IActorRef self)
    {
        var (local, directory, source, timeout) = (_local, _directory, Self_, _callTimeout);
        if (await local.Ask<IDomainReply>(new LookupDomain(migrate.Domain), timeout).ConfigureAwait(false) is not DomainSummary domain)
            return (new ErrorReply(ErrorCode.NoDomain, $"Domain not found: no domain with matching {migrate.Domain}"), null);
        if (!domain.Active)
            return (new ErrorReply(ErrorCode.OperationInvalid, "domain is not running: move its config with --offline --persistent"), null);
        var name = domain.Name.Value;
        var byUuid = DomainRef.ByUuid(domain.Uuid);
        var uuid = domain.Uuid.ToString();
        if (await local.Ask<IDomainReply>(new GetDomainXml(byUuid, Inactive: false, Secure: true), timeout).ConfigureAwait(false) is not DomainXmlDescription live)
            return (new ErrorReply(ErrorCode.OperationFailed, $"cannot read the live definition of '{name}'"), null);
        var config = domain.Persistent && await local.Ask<IDomainReply>(new GetDomainXml(byUuid, Inactive: true, Secure: true), timeout).ConfigureAwait(false)
            is DomainXmlDescription inactive ? inactive.Xml : null;
        self.Tell(new MoveBegins(name));
        var prepared = await destination.Ask<object>(new PrepareIncoming(live.Xml), timeout).ConfigureAwait(false);
        if (prepared is not IncomingReady ready)
            return (prepared as ErrorReply ?? new ErrorReply(ErrorCode.OperationFailed, $"node {migrate.Node} cannot take the guest"), name);
        var suspendAfter = migrate.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var sent = await local.Ask<IDomainReply>(
            new DomainRegistryActor.MigrateOut(byUuid, ready.Uri, migrate.Flags.HasFlag(DomainMigrateFlags.Live), suspendAfter), timeout).ConfigureAwait(false);
        if (sent is ErrorReply sendFailed)
        {
            destination.Tell(new AbandonIncoming(uuid, name));
            return (sendFailed, name);
        }
        if (await destination.Ask<object>(new FinishIncomingOn(uuid), timeout).ConfigureAwait(false) is not DomainSummary running)
        {
            await local.Ask<IDomainReply>(new DomainRegistryActor.ConfirmMigration(byUuid, Succeeded: false), timeout).ConfigureAwait(false);
            destination.Tell(new AbandonIncoming(uuid, name));
            return (new ErrorReply(ErrorCode.OperationFailed, $"node {migrate.Node} did not run the guest; it runs on here"), name);
        }
        // The guest runs there now: the name follows it, this QEMU goes, the config moves with it.
        await directory.Ask<NameClaimed>(new TransferName(name, uuid, source, migrate.Node), _settings.AskTimeout).ConfigureAwait(false);
        self.Tell(new NameMoved(name, uuid, migrate.Node));
        await local.Ask<IDomainReply>(new DomainRegistryActor.ConfirmMigration(byUuid, Succeeded: true), timeout).ConfigureAwait(false);
        if (config is not null || migrate.Flags.HasFlag(DomainMigrateFlags.Persistent))
            await destination.Ask<object>(new AcceptMoved(config ?? live.Xml), timeout).ConfigureAwait(false);
        if (domain.Persistent)
            await local.Ask<IDomainReply>(new UndefineDomain(byUuid), timeout).ConfigureAwait(false);
        return (running with { Host = migrate.Node }, name);
    }

    /// <summary>On the destination: a transient domain of the live XML whose QEMU listens on a free port of this node's address.</summary>
    private void PrepareIncoming(PrepareIncoming prepare)
    {
        string name;
        try
        {
            name = DomainXml.ParseIdentity(prepare.Xml).Name;
        }
        catch (VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return;
        }
        _moving.Add(name); // held by the source until the guest runs here
        var uri = $"tcp:{_settings.Hostname}:{FreePort(_settings.Hostname)}";
        _local.Ask<object>(new DomainRegistryActor.AcceptIncoming(prepare.Xml, uri), _callTimeout)
            .ContinueWith(t => t.IsCompletedSuccessfully && t.Result is DomainSummary ? new IncomingReady(uri)
                : t.IsCompletedSuccessfully ? t.Result : new ErrorReply(ErrorCode.OperationTimeout, "the incoming QEMU did not start"), TaskScheduler.Default)
            .PipeTo(Sender);
    }

    private static int FreePort(string hostname)
    {
        using var listener = new System.Net.Sockets.TcpListener(
            System.Net.IPAddress.TryParse(hostname, out var address) ? address : System.Net.IPAddress.Any, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
