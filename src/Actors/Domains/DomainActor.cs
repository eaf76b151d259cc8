using Akka.Actor;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

/// <summary>
/// One domain (/user/domains/UUID). This step knows only the state shut off: it holds the definition and
/// answers info and dumpxml; running states come as further <c>Become</c> states with a QEMU process.
/// </summary>
public sealed class DomainActor : ReceiveActor
{
    /// <summary>From the registry: the domain's record changed (config, persistence, autostart, state).</summary>
    internal sealed record EntryChanged(DomainEntry Entry);

    /// <summary>From the registry: start the domain and answer <paramref name="ReplyTo"/>.</summary>
    internal sealed record Start(DomainCreateFlags Flags, IActorRef ReplyTo);

    /// <summary>To the registry: the process is running (or paused when started paused).</summary>
    internal sealed record Started(DomainUuid Uuid, StartedDetail Detail, bool Paused);

    /// <summary>To the registry: the process is gone.</summary>
    internal sealed record Stopped(DomainUuid Uuid, ShutoffReason Reason);

    /// <summary>To the registry: a start ended before any process ran.</summary>
    internal sealed record StartAbandoned(DomainUuid Uuid);

    private DomainEntry _entry;

    public DomainActor(DomainEntry entry)
    {
        _entry = entry;
        Shutoff();
    }

    public static Props Props(DomainEntry entry) => Akka.Actor.Props.Create(() => new DomainActor(entry));

    private void Shutoff()
    {
        Receive<EntryChanged>(m => _entry = m.Entry);
        Receive<GetDomainInfo>(_ => Sender.Tell(Info()));
        Receive<GetDomainXml>(m => Sender.Tell(DumpXml(m.Inactive)));
        Receive<Start>(m =>
        {
            // No QEMU layer in this build: the start is refused and the registry rolls it back.
            m.ReplyTo.Tell(new ErrorReply(ErrorCode.OperationFailed,
                $"cannot start domain '{_entry.Name}': starting domains is not available in this build"));
            Context.Parent.Tell(new StartAbandoned(_entry.Uuid));
        });
        Receive<IDomainCommand>(m => Sender.Tell(new ErrorReply(ErrorCode.OperationInvalid,
            $"domain '{_entry.Name}' is not running")));
    }

    private DomainInfo Info()
    {
        var d = _entry.Definition;
        return new DomainInfo(_entry.ToSummary(), d.MemoryKiB, d.CurrentMemoryKiB == 0 ? d.MemoryKiB : d.CurrentMemoryKiB,
            d.Vcpu.Count, CpuTimeNs: 0);
    }

    private IDomainReply DumpXml(bool inactive)
    {
        var definition = inactive ? _entry.Config : _entry.Definition;
        try
        {
            return new DomainXmlDescription(_entry.Name, Protocol.Domains.DomainXml.Format(definition));
        }
        catch (VirtException e)
        {
            return ErrorReply.From(e);
        }
    }
}
