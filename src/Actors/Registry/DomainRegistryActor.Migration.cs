using Virt.Actors.Domains;
using Virt.Protocol.Api;

namespace Virt.Actors.Registry;

// Live migration's steps on each node, asked by the node's cluster front: the destination's transient domain that
// waits for the stream, and the source domain's send, confirm or give-back.
public sealed partial class DomainRegistryActor
{
    /// <summary>On the destination: a transient domain of this (live) XML, its QEMU listening at <paramref name="Uri"/>.</summary>
    public sealed record AcceptIncoming(string Xml, string Uri);

    /// <summary>On the source: send the domain to the QEMU at <paramref name="Uri"/>.</summary>
    public sealed record MigrateOut(DomainRef Domain, string Uri, bool Live, TimeSpan? SuspendAfter = null);

    /// <summary>On the destination: the source's stream completed; run the guest.</summary>
    public sealed record FinishIncoming(DomainRef Domain);

    /// <summary>On the source: the destination runs it (end this QEMU), or it does not (run on here).</summary>
    public sealed record ConfirmMigration(DomainRef Domain, bool Succeeded);

    /// <summary>The owner an incoming migration's status file records until the guest runs (no connection has this name).</summary>
    private const string IncomingOwner = "incoming migration";

    /// <summary>Incoming migrations by UUID: their start is made with -incoming defer and listens at the URI.</summary>
    private readonly Dictionary<DomainUuid, string> _incoming = [];

    private void ReceiveMigrations()
    {
        Receive<AcceptIncoming>(m =>
        {
            var replyTo = Sender;
            WithHardware(m.Xml, replyTo, definition =>
            {
                var uuid = new DomainUuid(definition.Uuid);
                _incoming[uuid] = m.Uri;
                Create(definition, DomainCreateFlags.StartPaused, replyTo, owner: null);
                if (_state.Find(uuid) is not { Active: true })
                    _incoming.Remove(uuid); // refused (a name or UUID here already): nothing listens
            });
        });
        Receive<MigrateOut>(m => ForwardToDomain(m.Domain, new DomainActor.MigrateOut(m.Uri, m.Live, m.SuspendAfter)));
        Receive<FinishIncoming>(m => ForwardToDomain(m.Domain, DomainActor.FinishIncoming.Instance));
        Receive<ConfirmMigration>(m => ForwardToDomain(m.Domain, new DomainActor.ConfirmMigration(m.Succeeded)));
    }

    /// <summary>The listening address of an incoming migration's start, taken once.</summary>
    private string? TakeIncoming(DomainUuid uuid) => _incoming.Remove(uuid, out var uri) ? uri : null;
}
