using Akka.Event;
using Akka.Actor;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Status;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Transitions, the status file, kill and the end of a QEMU.
public sealed partial class DomainActor
{
    /// <summary>One transition: recorded in the registry (which publishes the event) and in the status file.</summary>
    private void Enter(RunningVm vm, DomainState state, int reason, DomainLifecycleEvent? evt)
    {
        (_state, _reason) = (state, reason);
        WriteStatus(vm);
        Context.Parent.Tell(new Transition(Uuid, state, reason, evt));
    }

    /// <summary>
    /// Records the domain in its status file. A failed write is kept on the VM (<see cref="RunningVm.StatusWriteFailure"/>)
    /// until a write succeeds, so the job that caused it can fail: the disk must never tell a restarted runtime
    /// something false without the caller hearing of it.
    /// </summary>
    private VirtException? WriteStatus(RunningVm vm)
    {
        if (vm.Process is not { } process)
            return null;
        try
        {
            _runtime.StatusFiles.Write(new DomainStatusFile
            {
                Uuid = Uuid.Value,
                Name = vm.Live.Name,
                Pid = process.Pid,
                ProcessStartTime = process.StartTime,
                MonitorPath = process.MonitorPath,
                State = StatusNames.State(_state),
                Reason = StatusNames.Reason(_state, _reason),
                DomainXml = vm.LiveXml,
                AutodestroyOwner = vm.Owner,
                Taints = vm.Taints.ToArray(),
                DomainId = vm.Id,
            });
            vm.StatusWriteFailure = null;
        }
        catch (VirtException e)
        {
            Log.Error("Domain {Domain}: {Error}", Name, e.Message);
            vm.StatusWriteFailure = e;
        }
        return vm.StatusWriteFailure;
    }

    /// <summary>A job's success, unless the state it reached could not be recorded: then libvirt's error (the state did change).</summary>
    private IDomainReply Recorded(RunningVm vm) =>
        vm.StatusWriteFailure is { } failure
            ? new ErrorReply(ErrorCode.OperationFailed, $"domain '{Name}' is {StatusNames.State(_state)}, but its status file could not be written: {failure.Message}")
            : Summary();

    /// <summary>Destroy: SIGTERM, the kill timeout, then SIGKILL (never with graceful); the job in flight fails.</summary>
    private void Kill(RunningVm vm, bool graceful, bool destroy = true)
    {
        if (destroy)
        {
            vm.Destroying = true;
            AbortJob("the domain was destroyed");
        }
        if (vm.Process is not { } process)
            return;
        var incarnation = vm.Incarnation;
        process.KillAsync(Settings.KillTimeout, graceful)
            .PipeTo(Self, success: gone => new KillDone(incarnation, gone, null), failure: e => new KillDone(incarnation, false, e));
    }

    private void KillFinished(RunningVm vm, KillDone m)
    {
        if (m.Gone)
            return; // ProcessExited does the rest
        var why = m.Error?.Message ?? $"QEMU pid {vm.Process?.Pid} is still running after SIGTERM";
        Log.Warning("Domain {Domain}: destroy failed: {Error}", Name, why);
        foreach (var waiter in vm.DestroyWaiters)
            waiter.Tell(new ErrorReply(ErrorCode.OperationFailed, $"failed to terminate domain '{Name}': {why}"));
        vm.DestroyWaiters.Clear();
        vm.Destroying = false;
    }

    /// <remarks>
    /// QEMU is gone: destroyed if we killed it, shut down if it reported SHUTDOWN, otherwise crashed. As in libvirt, a
    /// QEMU that died is shut off (crashed) with Stopped Failed and is never restarted: on_crash is for a guest that
    /// panicked, which ends with Stopped Crashed.
    /// </remarks>
    private void Exited(RunningVm vm, ProcessExit exit)
    {
        var reason = vm.Destroying ? ShutoffReason.Destroyed : vm.GotShutdown ? ShutoffReason.Shutdown : ShutoffReason.Crashed;
        var died = reason == ShutoffReason.Crashed && !vm.Panicked;
        if (died)
            Log.Warning("Domain {Domain}: QEMU pid {Pid} {Exit} unexpectedly", Name, vm.Process?.Pid, exit);
        else
            Log.Info("Domain {Domain}: QEMU pid {Pid} {Exit}", Name, vm.Process?.Pid, exit);
        Release(vm);
        RemoveRuntimeFiles(vm);
        _vm = null;
        FinishStop(vm, reason, died ? StoppedDetail.Failed : null);
    }

    /// <summary>Shut off with <paramref name="reason"/>: the registry (with the event's detail, if not the reason's), then the requesters.</summary>
    private void FinishStop(RunningVm vm, ShutoffReason reason, StoppedDetail? detail = null)
    {
        (_state, _reason) = (DomainState.Shutoff, (int)reason);
        Context.Parent.Tell(new Stopped(Uuid, reason, detail));
        var summary = Summary();
        // One destroy did it; the others, which raced it, find the domain no longer running, as in libvirt.
        for (var i = 0; i < vm.DestroyWaiters.Count; i++)
            vm.DestroyWaiters[i].Tell(i == 0 ? summary : NotRunning());
        vm.DestroyWaiters.Clear();
        // A QEMU without -no-shutdown (an attached one) may exit before the powerdown reply is handled: that shutdown succeeded.
        if (_job is { SucceedsOnStop: true } || (_job?.Name == "shutdown" && reason == ShutoffReason.Shutdown))
            EndJob(summary);
        else
            AbortJob(reason == ShutoffReason.Destroyed ? "the domain was destroyed" : $"the domain stopped ({StatusNames.Reason(DomainState.Shutoff, (int)reason)})");
        Go(Shutoff);
    }

    private void RemoveRuntimeFiles(RunningVm vm)
    {
        var paths = Settings.Paths;
        try
        {
            _runtime.StatusFiles.Delete(Uuid.Value);
            File.Delete(paths.MonitorPath(vm.Id));
            var dir = paths.DomainRuntimeDir(vm.Id);
            if (Directory.Exists(dir))
                Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or VirtException)
        {
            Log.Warning("Domain {Domain}: cannot remove runtime files: {Error}", Name, e.Message);
        }
    }
}
