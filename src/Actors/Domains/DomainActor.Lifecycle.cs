using Akka.Event;
using Akka.Actor;
using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Status;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// The shell of the lifecycle: feeds inputs to VmLifecycle and carries out its effects; the status file, kill and the
// end of a QEMU.
public sealed partial class DomainActor
{
    /// <summary>
    /// One input through the lifecycle's rules, then its effects in order. With <paramref name="settle"/> the actor takes
    /// the behaviour of the state reached (a start or reconnect in progress keeps its own until it ends).
    /// </summary>
    private void Apply(RunningVm vm, VmInput input, bool settle = true)
    {
        var step = VmLifecycle.Step(vm.State, input, VmContext.Of(Name, Uuid, vm.Live));
        vm.State = step.Next;
        foreach (var effect in step.Effects)
            Execute(vm, effect);
        if (settle && _vm == vm && vm.Process is not null)
            Go(BehaviorFor(vm, vm.State.State));
    }

    private void Execute(RunningVm vm, VmEffect effect)
    {
        switch (effect)
        {
            case VmEffect.Enter e:
                WriteStatus(vm, e.State, e.Reason);
                Context.Parent.Tell(new Transition(Uuid, e.State, e.Reason, e.Event));
                break;
            case VmEffect.WriteStatus:
                WriteStatus(vm);
                break;
            case VmEffect.ResetAndContinue { Delay: var delay } when delay > TimeSpan.Zero:
                Timers.StartSingleTimer(ResetTimerKey, new ResetDue(vm.Incarnation), delay);
                break;
            case VmEffect.ResetAndContinue:
                ResetAndContinue(vm);
                break;
            case VmEffect.Kill k:
                Kill(vm, k.Graceful, k.AbortJob);
                break;
            case VmEffect.Continue when vm.Process is { } running:
                running.Qmp.ExecuteAsync("cont", null, Settings.QmpTimeout).ContinueWith(
                    t => Log.Warning("Domain {Domain}: cont failed: {Error}", Name, t.Exception?.GetBaseException().Message),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                break;
            case VmEffect.KillOrphan orphan:
                try
                {
                    OrphanedQemus.Kill(orphan.Pid); // through a pidfd, so a signal never reaches a later process with the pid
                }
                catch (VirtException)
                {
                    // gone meanwhile
                }
                break;
            case VmEffect.Rebooted:
                Context.Parent.Tell(new Rebooted(Uuid));
                break;
            case VmEffect.Stop stop:
                if (stop.How.Length == 0)
                {
                    // no exit to tell of: the lifecycle's note said why
                }
                else if (stop.Detail == StoppedDetail.Failed)
                    Log.Warning("Domain {Domain}: QEMU pid {Pid} {Exit} unexpectedly", Name, vm.Process?.Pid, stop.How);
                else
                    Log.Info("Domain {Domain}: QEMU pid {Pid} {Exit}", Name, vm.Process?.Pid, stop.How);
                Timers.Cancel(ResetTimerKey);
                Release(vm);
                RemoveRuntimeFiles(vm);
                _vm = null;
                FinishStop(vm, stop.Reason, stop.Detail);
                break;
            case VmEffect.Note note when note.Warning:
                Log.Warning("Domain {Domain}: {Note}", Name, note.Message);
                break;
            case VmEffect.Note note:
                Log.Info("Domain {Domain}: {Note}", Name, note.Message);
                break;
        }
    }

    /// <summary>
    /// Records the domain in its status file, in <paramref name="state"/> (the lifecycle's current one by default). A
    /// failed write is kept on the VM (<see cref="RunningVm.StatusWriteFailure"/>) until a write succeeds, so the job that
    /// caused it can fail: the disk must never tell a restarted runtime something false without the caller hearing of it.
    /// </summary>
    private VirtException? WriteStatus(RunningVm vm, DomainState? state = null, int? reason = null)
    {
        if (vm.Process is not { } process)
            return null;
        var recorded = state ?? vm.State.State;
        try
        {
            _runtime.StatusFiles.Write(StatusRecord.Of(Uuid.Value, vm.Live.Name, (process.Pid, process.StartTime, process.MonitorPath),
                recorded, reason ?? vm.State.Reason, vm.LiveXml, vm.Id, vm.Taints, vm.Owner));
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
            ? new ErrorReply(ErrorCode.OperationFailed, $"domain '{Name}' is {StatusNames.State(State)}, but its status file could not be written: {failure.Message}")
            : Summary();

    /// <summary>SIGTERM, the kill timeout, then SIGKILL (never with graceful); a destroy first fails the job in flight.</summary>
    private void Kill(RunningVm vm, bool graceful, bool abortJob)
    {
        if (abortJob)
            AbortJob("the domain was destroyed");
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
        Apply(vm, new VmInput.KillFailed());
    }

    /// <summary>QEMU is gone; the lifecycle says why (destroyed, shut down, crashed) and the Stop effect ends the domain.</summary>
    private void Exited(RunningVm vm, ProcessExit exit) => Apply(vm, new VmInput.Exited(exit.ToString()), settle: false);

    /// <summary>Shut off with <paramref name="reason"/>: the registry (with the event's detail, if not the reason's), then the requesters.</summary>
    private void FinishStop(RunningVm vm, ShutoffReason reason, StoppedDetail? detail = null)
    {
        _stopped = (DomainState.Shutoff, (int)reason);
        Context.Parent.Tell(new Stopped(Uuid, reason, detail));
        var summary = Summary();
        // One destroy did it; the others, which raced it, find the domain no longer running, as in libvirt.
        for (var i = 0; i < vm.DestroyWaiters.Count; i++)
            vm.DestroyWaiters[i].Tell(i == 0 ? summary : NotRunning());
        vm.DestroyWaiters.Clear();
        // A QEMU without -no-shutdown (an attached one) may exit before the powerdown reply is handled: that shutdown succeeded.
        if (InFlight is { SucceedsOnStop: true } || (InFlight?.Kind == JobKind.Shutdown && reason == ShutoffReason.Shutdown))
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
