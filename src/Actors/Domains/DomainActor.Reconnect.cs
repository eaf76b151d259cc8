using Akka.Event;
using Akka.Actor;
using Virt.Actors.Domains.Executors;
using Virt.Actors.Domains.Lifecycle;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Status;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Reconnect after an actor or runtime restart: adopt QEMU by pid + start time + monitor, then query-status.
public sealed partial class DomainActor
{
    /// <remarks>What a failed adoption ends as (a dead QEMU, one whose monitor is unusable) is the lifecycle's rule (AdoptFailed).</remarks>
    private void Reconnect(bool runtimeStart, IActorRef? attachReplyTo = null)
    {
        var file = _runtime.StatusFiles.Read(Uuid.Value);
        if (file?.Status is not { } status)
        {
            if (file is not null)
                Log.Error("Domain {Domain}: unusable status file {Path}: {Error}", Name, file.Path, file.Error);
            if (attachReplyTo is not null)
            {
                attachReplyTo.Tell(new ErrorReply(ErrorCode.InternalError, $"domain '{Name}': the status file of the attached QEMU is gone"));
                Context.Parent.Tell(new AttachAbandoned(Uuid));
            }
            else if (_entry.Active)
            {
                // Active without a status file: a start was cut short (the actor failed while spawning).
                _stopped = (DomainState.Shutoff, (int)ShutoffReason.Failed);
                Context.Parent.Tell(new StartAbandoned(Uuid));
            }
            Context.Parent.Tell(new ReconnectEnded(Uuid));
            return;
        }
        DomainDefinition live;
        try
        {
            live = DomainXml.Parse(status.DomainXml);
        }
        catch (VirtException e)
        {
            Log.Warning("Domain {Domain}: live XML in the status file does not parse ({Error}); using the config", Name, e.Message);
            live = _entry.Definition;
        }
        var id = status.DomainId ?? DomainRuntime.IdFromMonitorPath(status.MonitorPath) ?? _entry.Id ?? 0;
        var attaching = attachReplyTo is not null;
        (DomainState State, int Reason) recorded;
        try
        {
            recorded = StatusNames.Parse(status.State, status.Reason);
        }
        catch (VirtException)
        {
            recorded = (DomainState.Running, (int)RunningReason.Unknown);
        }
        var vm = new RunningVm(NextToken(), id, live, status.AutodestroyOwner)
        {
            Taints = status.Taints.ToList(),
            State = VmState.Recorded(recorded.State, recorded.Reason),
        };
        _vm = vm;
        if (attachReplyTo is not null)
            _from = attachReplyTo; // the job's answer goes to the client that asked to attach
        BeginJob(attaching ? JobKind.Attach : JobKind.Reconnect);
        QemuLauncher.AdoptAsync(status, live, QmpOptions(vm.Incarnation, Self), Settings.QmpTimeout)
            .PipeTo(Self, success: a => new Adopted(vm.Incarnation, a.Process, a.RunState, a.Live), failure: e => new AdoptFailed(vm.Incarnation, e));
        Go(Reconnecting(vm, runtimeStart, attaching, status));
    }

    /// <param name="attaching">Adopting a QEMU that was just attached: a failure gives it up untouched instead of killing it.</param>
    private Receive Reconnecting(RunningVm vm, bool runtimeStart, bool attaching, DomainStatusFile status) => message =>
    {
        switch (message)
        {
            case Adopted m:
                Adopt(vm, m, runtimeStart, attaching);
                return true;
            case AdoptFailed m:
                if (attaching)
                    AttachFailed(vm, m.Error, status);
                else
                    AdoptionFailed(vm, m.Error, status, runtimeStart);
                return true;
            case DestroyDomain:
                // Carried out once QEMU is adopted; the adoption's job is not the destroy's to fail.
                vm.DestroyWaiters.Add(_from);
                Apply(vm, new VmInput.DestroyAsked(Graceful: false, Deferred: true), settle: false);
                return true;
            case QemuEventArrived:
                return true; // query-status tells the state
            case IDomainCommand m:
                if (!Busy(m))
                    _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{Name}' is reconnecting"));
                return true;
            default:
                return false;
        }
    };

    private void Adopt(RunningVm vm, Adopted m, bool runtimeStart, bool attaching)
    {
        vm.Process = m.Process;
        if (!ReferenceEquals(m.Live, vm.Live))
            vm.Live = m.Live; // the pty paths this status file lacked; the status write below keeps them
        WatchExit(vm, m.Process);
        if (attaching)
            Log.Info("Domain {Domain}: attached to QEMU pid {Pid} ({Status}) with id {Id}", Name, m.Process.Pid, m.QemuStatus, vm.Id);
        else
            Log.Info("Domain {Domain}: reconnected to QEMU pid {Pid} ({Status})", Name, m.Process.Pid, m.QemuStatus);
        // An autodestroy domain's owner connection died with the previous runtime: destroy it now, so no VM is leaked.
        Apply(vm, new VmInput.Adopted(m.QemuStatus, Autodestroy: runtimeStart && vm.Owner is not null));
        EndJob(Summary());
        Context.Parent.Tell(new ReconnectEnded(Uuid));
    }

    private void AdoptionFailed(RunningVm vm, Exception error, DomainStatusFile status, bool runtimeStart)
    {
        var alive = ProcFs.ReadStat(status.Pid) is { IsZombie: false } stat && stat.StartTime == status.ProcessStartTime;
        EndJob(new ErrorReply(ErrorCode.OperationFailed, $"cannot reconnect to domain '{Name}': {error.Message}"));
        Apply(vm, new VmInput.AdoptFailed(alive, status.Pid, error.Message), settle: false);
        Context.Parent.Tell(new ReconnectEnded(Uuid));
        // The runtime's autostart skipped it as running; found dead, it is started as any inactive autostart domain is.
        if (runtimeStart && _stopped.Reason == (int)ShutoffReason.Crashed && _entry.Autostart)
            Context.Parent.Tell(new StartDomain(DomainRef.ByUuid(Uuid)), ActorRefs.Nobody);
    }

    /// <summary>The attached QEMU could not be adopted: it was never ours, so it is left running, and the domain goes.</summary>
    private void AttachFailed(RunningVm vm, Exception error, DomainStatusFile status)
    {
        Log.Warning("Domain {Domain}: cannot adopt attached QEMU pid {Pid}: {Error}", Name, status.Pid, error.Message);
        EndJob(new ErrorReply(ErrorCode.OperationFailed, $"cannot attach to QEMU pid {status.Pid}: {error.Message}"));
        foreach (var waiter in vm.DestroyWaiters)
            waiter.Tell(new ErrorReply(ErrorCode.OperationFailed, $"domain '{Name}' was never attached: {error.Message}"));
        try
        {
            _runtime.StatusFiles.Delete(Uuid.Value);
        }
        catch (VirtException e)
        {
            Log.Warning("Domain {Domain}: {Error}", Name, e.Message);
        }
        _vm = null;
        _stopped = (DomainState.Shutoff, (int)ShutoffReason.Unknown);
        Context.Parent.Tell(new AttachAbandoned(Uuid));
        Go(Shutoff);
    }
}
