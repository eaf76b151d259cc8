using Akka.Actor;
using Akka.Event;
using Virt.Actors.Domains;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Attach;
using Virt.Supervisor.Status;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

// virsh qemu-attach: inspect off the actor, register as transient, write the status file, let the child adopt.
public sealed partial class DomainRegistryActor
{
    private sealed record AttachProbed(int Pid, AttachedQemu Qemu, IActorRef ReplyTo);

    private sealed record AttachProbeFailed(int Pid, Exception Error, IActorRef ReplyTo);

    /// <summary>Pids being inspected: a second attach of the same process is refused rather than raced.</summary>
    private readonly HashSet<int> _attaching = [];

    private void ReceiveAttach()
    {
        Receive<AttachDomain>(BeginAttach);
        Receive<AttachProbed>(Attached);
        Receive<AttachProbeFailed>(m =>
        {
            _attaching.Remove(m.Pid);
            _log.Warning("Cannot attach to process {Pid}: {Error}", m.Pid, m.Error.Message);
            m.ReplyTo.Tell(m.Error is VirtException v ? ErrorReply.From(v) : new ErrorReply(ErrorCode.OperationFailed, $"cannot attach to process {m.Pid}: {m.Error.Message}"));
        });
        Receive<DomainActor.AttachAbandoned>(m => Apply(_state.AbandonAttach(m.Uuid), m.Uuid));
    }

    private void BeginAttach(AttachDomain m)
    {
        if (!_attaching.Add(m.Pid))
        {
            Sender.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"process {m.Pid} is already being attached"));
            return;
        }
        var (pid, replyTo, statusFiles) = (m.Pid, Sender, _runtime.StatusFiles);
        var runtimeDir = _runtime.Settings.Paths.RuntimeDir;
        var timeout = _runtime.Settings.QmpTimeout;
        Task.Run(() => AttachProbe.RunAsync(pid, statusFiles, runtimeDir, timeout))
            .PipeTo(Self, success: q => new AttachProbed(pid, q, replyTo), failure: e => new AttachProbeFailed(pid, e, replyTo));
    }

    /// <summary>
    /// The QEMU answered: the domain is registered with an id, its status file is written (so a restarted daemon
    /// finds it), then its actor adopts the process and answers the client.
    /// </summary>
    private void Attached(AttachProbed m)
    {
        _attaching.Remove(m.Pid);
        var qemu = m.Qemu;
        var definition = qemu.Definition;
        var uuid = new DomainUuid(definition.Uuid);
        // libvirt: running (unknown), or paused (unknown) for QEMU's prelaunch, paused and every other stopped state.
        var (state, reason) = qemu.Running
            ? (DomainState.Running, (int)RunningReason.Unknown)
            : (DomainState.Paused, (int)PausedReason.Unknown);
        if (_stopping.Contains(uuid))
        {
            m.ReplyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, $"domain {uuid} is being removed; try again"));
            return;
        }
        string xml;
        try
        {
            xml = DomainXml.Format(definition);
        }
        catch (VirtException e)
        {
            m.ReplyTo.Tell(new ErrorReply(e.Code, $"cannot attach to process {m.Pid}: {e.Message}"));
            return;
        }
        var outcome = _state.Attach(definition, state, reason);
        if (outcome.Reply is not DomainSummary { Id: { } id })
        {
            m.ReplyTo.Tell(outcome.Reply);
            return;
        }
        if (PersistOrRevert(uuid, null, () => _runtime.StatusFiles.Write(StatusRecord.Of(definition.Uuid, definition.Name,
                (qemu.Pid, qemu.StartTime, qemu.MonitorSocketPath), state, reason, xml, id, qemu.Taints))) is { } failed)
        {
            m.ReplyTo.Tell(failed);
            return;
        }
        _log.Warning("Domain {Domain} ({Uuid}) attached from QEMU pid {Pid} is tainted: {Taints}",
            definition.Name, uuid, qemu.Pid, string.Join(", ", qemu.Taints));
        AddChild(_state.Find(uuid)!, attachReplyTo: m.ReplyTo);
    }
}
