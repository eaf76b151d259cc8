using Akka.Event;
using Akka.Actor;
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
    /// <remarks>
    /// A QEMU that died meanwhile ends as shut off (crashed), or (shutdown) when its status file shows the
    /// shutdown was under way. One that lives but whose monitor cannot be reached is killed, as nothing could
    /// control it: shut off (daemon), libvirt's reason for a domain the daemon itself stopped.
    /// </remarks>
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
                (_state, _reason) = (DomainState.Shutoff, (int)ShutoffReason.Failed);
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
        var vm = new RunningVm(NextToken(), id, live, status.AutodestroyOwner)
        {
            Taints = status.Taints.ToList(),
            Attaching = attachReplyTo is not null,
        };
        _vm = vm;
        try
        {
            (_state, _reason) = StatusNames.Parse(status.State, status.Reason);
        }
        catch (VirtException)
        {
            (_state, _reason) = (DomainState.Running, (int)RunningReason.Unknown);
        }
        vm.GotShutdown = _state == DomainState.Shutdown;
        if (attachReplyTo is not null)
            _from = attachReplyTo; // the job's answer goes to the client that asked to attach
        BeginJob(vm.Attaching ? "attach" : "reconnect");
        var options = QmpOptions(vm.Incarnation, Self);
        var timeout = Settings.QmpTimeout;
        Task.Run(async () =>
        {
            var process = await QemuProcess.AdoptAsync(status.Pid, status.ProcessStartTime, status.MonitorPath, options).ConfigureAwait(false);
            try
            {
                var reply = await process.Qmp.ExecuteAsync("query-status", null, timeout).ConfigureAwait(false);
                return new Adopted(vm.Incarnation, process, reply.GetProperty("status").GetString() ?? "");
            }
            catch
            {
                await process.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }).PipeTo(Self, success: a => a, failure: e => new AdoptFailed(vm.Incarnation, e));
        Go(Reconnecting(vm, runtimeStart, status));
    }

    private Receive Reconnecting(RunningVm vm, bool runtimeStart, DomainStatusFile status) => message =>
    {
        switch (message)
        {
            case Adopted m:
                Adopt(vm, m, runtimeStart);
                return true;
            case AdoptFailed m:
                AdoptionFailed(vm, m.Error, status, runtimeStart);
                return true;
            case DestroyDomain:
                vm.DestroyWaiters.Add(_from);
                vm.Destroying = true;
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

    private void Adopt(RunningVm vm, Adopted m, bool runtimeStart)
    {
        vm.Process = m.Process;
        WatchExit(vm, m.Process);
        if (vm.Attaching)
            Log.Info("Domain {Domain}: attached to QEMU pid {Pid} ({Status}) with id {Id}", Name, m.Process.Pid, m.QemuStatus, vm.Id);
        else
            Log.Info("Domain {Domain}: reconnected to QEMU pid {Pid} ({Status})", Name, m.Process.Pid, m.QemuStatus);
        vm.Attaching = false;
        if (runtimeStart && vm.Owner is not null)
        {
            // Its owner connection died with the previous runtime: autodestroy now, so no VM is leaked.
            Log.Info("Domain {Domain}: destroying autodestroy domain of {Owner}", Name, vm.Owner);
            vm.Destroying = true;
        }
        switch (m.QemuStatus)
        {
            case "running":
                if (_state != DomainState.Running)
                    Enter(vm, DomainState.Running, (int)RunningReason.Unknown, DomainLifecycleEvent.Resumed(Name, Uuid, ResumedDetail.Unpaused));
                else
                    WriteStatus(vm);
                Go(Running(vm));
                break;
            case "guest-panicked":
                vm.Panicked = true;
                if (_state != DomainState.Crashed)
                    Enter(vm, DomainState.Crashed, (int)CrashedReason.Panicked, DomainLifecycleEvent.Crashed(Name, Uuid, CrashedDetail.Panicked));
                else
                    WriteStatus(vm);
                Go(Paused(vm));
                break;
            case "shutdown":
                if (_state != DomainState.Shutdown)
                {
                    vm.GotShutdown = true;
                    Enter(vm, DomainState.Shutdown, (int)ShutdownReason.Unknown, DomainLifecycleEvent.ShutdownEvent(Name, Uuid, ShutdownDetail.Finished));
                }
                Go(ShuttingDown(vm));
                if (!vm.Destroying)
                    ApplyPoweroffAction(vm, vm.Live.OnPoweroff);
                break;
            default:
                // paused, prelaunch (a start cut short), or any other stopped run state
                if (_state == DomainState.Shutdown)
                {
                    Go(ShuttingDown(vm));
                    if (!vm.Destroying)
                        ApplyPoweroffAction(vm, vm.Live.OnPoweroff);
                }
                else
                {
                    if (_state != DomainState.Paused)
                        Enter(vm, DomainState.Paused, (int)PausedReason.Unknown, DomainLifecycleEvent.Suspended(Name, Uuid, SuspendedDetail.Paused));
                    else
                        WriteStatus(vm);
                    Go(Paused(vm));
                }
                break;
        }
        EndJob(Summary());
        if (vm.Destroying)
            Kill(vm, graceful: false);
        Context.Parent.Tell(new ReconnectEnded(Uuid));
    }

    private void AdoptionFailed(RunningVm vm, Exception error, DomainStatusFile status, bool runtimeStart)
    {
        if (vm.Attaching)
        {
            AttachFailed(vm, error, status);
            return;
        }
        var alive = ProcFs.ReadStat(status.Pid) is { IsZombie: false } stat && stat.StartTime == status.ProcessStartTime;
        ShutoffReason reason;
        if (alive)
        {
            Log.Error("Domain {Domain}: QEMU pid {Pid} runs but its monitor cannot be used ({Error}); killing it", Name, status.Pid, error.Message);
            try
            {
                System.Diagnostics.Process.GetProcessById(status.Pid).Kill();
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
            reason = vm.Destroying ? ShutoffReason.Destroyed : ShutoffReason.Daemon;
        }
        else
        {
            reason = vm.Destroying ? ShutoffReason.Destroyed : _state == DomainState.Shutdown ? ShutoffReason.Shutdown : ShutoffReason.Crashed;
            Log.Warning("Domain {Domain}: QEMU pid {Pid} is gone ({Error}); shut off ({Reason})", Name, status.Pid, error.Message,
                StatusNames.Reason(DomainState.Shutoff, (int)reason));
        }
        EndJob(new ErrorReply(ErrorCode.OperationFailed, $"cannot reconnect to domain '{Name}': {error.Message}"));
        RemoveRuntimeFiles(vm);
        _vm = null;
        FinishStop(vm, reason, reason == ShutoffReason.Crashed ? StoppedDetail.Failed : null);
        Context.Parent.Tell(new ReconnectEnded(Uuid));
        // The runtime's autostart skipped it as running; found dead, it is started as any inactive autostart domain is.
        if (runtimeStart && reason == ShutoffReason.Crashed && _entry.Autostart)
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
        (_state, _reason) = (DomainState.Shutoff, (int)ShutoffReason.Unknown);
        Context.Parent.Tell(new AttachAbandoned(Uuid));
        Go(Shutoff);
    }
}
