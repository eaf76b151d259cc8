using Akka.Event;
using System.Text.Json;
using Akka.Actor;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Running, paused and shutting down: QEMU events drive the state; commands run as jobs.
public sealed partial class DomainActor
{
    private Receive Running(RunningVm vm) => message => message switch
    {
        FakeRebootDone m => FakeRebooted(vm, m.Error),
        SuspendDomain m => AsJob(m, () => RunQmp(vm, "suspend", "stop", completed: _ =>
        {
            // The STOP event normally came first; if not, the reply settles the state.
            if (_state == DomainState.Running)
                EnterPaused(vm, PausedReason.User);
            return Recorded(vm);
        })),
        ResumeDomain m => AsJob(m, () => _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{Name}' is already running"))),
        _ => Active(vm, message),
    };

    /// <summary>Paused, or crashed after a guest panic (which resume leaves, as in libvirt).</summary>
    private Receive Paused(RunningVm vm) => message => message switch
    {
        FakeRebootDone m => FakeRebooted(vm, m.Error),
        SuspendDomain m => AsJob(m, () => _from.Tell(Summary())),
        ResumeDomain m => AsJob(m, () => RunQmp(vm, "resume", "cont", completed: _ =>
        {
            if (_state is DomainState.Paused or DomainState.Crashed)
                EnterRunning(vm, RunningReason.Unpaused);
            return Recorded(vm);
        })),
        _ => Active(vm, message),
    };

    /// <summary>After QEMU's SHUTDOWN: waiting for the exit (or a fake reboot, or preserved as is).</summary>
    private Receive ShuttingDown(RunningVm vm) => message => message switch
    {
        FakeRebootDone m => FakeRebooted(vm, m.Error),
        ShutdownDomain or RebootDomain or ResetDomain or SuspendDomain or ResumeDomain => AsJob(message,
            () => _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{Name}' is shutting down"))),
        _ => Active(vm, message),
    };

    /// <summary>What running, paused and shutting down handle alike.</summary>
    private bool Active(RunningVm vm, object message)
    {
        switch (message)
        {
            case DestroyDomain m:
                vm.DestroyWaiters.Add(_from);
                Kill(vm, m.Flags.HasFlag(Protocol.Api.DomainDestroyFlags.Graceful));
                return true;
            case ShutdownDomain m:
                return AsJob(m, () => Shutdown(vm, m.WaitFor));
            case RebootDomain m:
                return AsJob(m, () =>
                {
                    // libvirt's fake reboot: ask the guest to power off, then reset and continue instead of stopping;
                    // with on_reboot destroy the guest's power-off ends the domain, as libvirt's reboot then does.
                    vm.FakeReboot = vm.Live.OnReboot is not (LifecycleAction.Destroy or LifecycleAction.CoredumpDestroy);
                    RunQmp(vm, "reboot", "system_powerdown", failed: () => vm.FakeReboot = false);
                });
            case ResetDomain m:
                return AsJob(m, () => RunQmp(vm, "reset", "system_reset"));
            case QemuMonitorCommand m:
                return AsJob(m, () => Passthrough(vm, m.Json));
            case QemuEventArrived m:
                QemuEvent(vm, m.Event.Name, m.Event.Data);
                return true;
            case ProcessExited m:
                Exited(vm, m.Exit);
                return true;
            case KillDone m:
                KillFinished(vm, m);
                return true;
            case ShutdownWaitExpired m when _job?.Token == m.Job:
                EndJob(new ErrorReply(ErrorCode.OperationTimeout, $"domain '{Name}' did not shut down in time"));
                return true;
            case ShutdownWaitExpired:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Runs <paramref name="run"/> as soon as no other job is in flight.</summary>
    private bool AsJob(object command, Action run)
    {
        if (!Busy(command))
            run();
        return true;
    }

    private void Shutdown(RunningVm vm, TimeSpan? waitFor)
    {
        vm.ShutdownRequested = true;
        vm.FakeReboot = false;
        RunQmp(vm, "shutdown", "system_powerdown", completed: _ =>
        {
            if (waitFor is not { } wait)
                return Summary();
            // Keep the job until the domain shuts off; a timer bounds the wait.
            var token = _job!.Token;
            _job = _job with
            {
                SucceedsOnStop = true,
                Deadline = Context.System.Scheduler.ScheduleTellOnceCancelable(wait, Self, new ShutdownWaitExpired(token), Self),
            };
            return null;
        }, failed: () => vm.ShutdownRequested = false);
    }

    private void Passthrough(RunningVm vm, string json)
    {
        string execute;
        JsonElement? arguments = null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("execute", out var exec) || exec.ValueKind != JsonValueKind.String)
                throw new JsonException("expected an object with a string member \"execute\"");
            execute = exec.GetString()!;
            if (doc.RootElement.TryGetProperty("arguments", out var args))
                arguments = args.Clone();
        }
        catch (JsonException e)
        {
            _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"not a QMP command: {e.Message}"));
            return;
        }
        if (!vm.Taints.Contains("custom-monitor"))
        {
            vm.Taints.Add("custom-monitor");
            Log.Warning("Domain {Domain} ({Uuid}) is tainted: custom-monitor (QMP passthrough of '{Command}')", Name, Uuid, execute);
            WriteStatus(vm);
        }
        RunQmp(vm, "qemu-monitor-command", execute, arguments,
            completed: r => new QemuMonitorReply($"{{\"return\":{r.GetRawText()}}}"));
    }

    private void QemuEvent(RunningVm vm, string name, JsonElement data)
    {
        // Our own SIGTERM makes QEMU report SHUTDOWN (host-signal): libvirt reports it as Shutdown Finished after host
        // request before Stopped Destroyed; nothing else changes while destroying.
        if (vm.Destroying)
        {
            if (name == "SHUTDOWN" && !vm.GotShutdown)
            {
                vm.GotShutdown = true;
                Enter(vm, DomainState.Shutdown, (int)ShutdownReason.Unknown, DomainLifecycleEvent.ShutdownEvent(Name, Uuid, ShutdownDetail.Host));
            }
            return;
        }
        switch (name)
        {
            case "GUEST_PANICKED":
                GuestPanicked(vm);
                break;
            case "STOP" when _state == DomainState.Running && !vm.FakeReboot:
                EnterPaused(vm, _job?.Name == "suspend" ? PausedReason.User : PausedReason.Unknown);
                break;
            case "RESUME" when (_state is DomainState.Paused or DomainState.Crashed) && !vm.FakeReboot:
                EnterRunning(vm, RunningReason.Unpaused);
                break;
            // After a panic, on_crash destroy's SIGTERM makes QEMU report SHUTDOWN too: libvirt reports only the crash.
            case "SHUTDOWN" when _state != DomainState.Shutdown && !vm.Panicked:
                GuestShutdown(vm, Flag(data, "guest"), data.TryGetProperty("reason", out var r) ? r.GetString() : null);
                break;
            case "RESET":
                Context.Parent.Tell(new Rebooted(Uuid));
                break;
            case "POWERDOWN" or "STOP" or "RESUME" or "SHUTDOWN":
                Log.Debug("Domain {Domain}: QEMU event {Event}", Name, name);
                break;
        }
    }

    private static bool? Flag(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : null;

    /// <summary>
    /// QEMU (run with -no-shutdown) reports the guest powered off: state shutdown, SHUTDOWN event, then the
    /// domain's lifecycle action: destroy quits QEMU, restart (or our reboot) resets it, preserve keeps it.
    /// </summary>
    private void GuestShutdown(RunningVm vm, bool? guest, string? reason)
    {
        var action = reason == "guest-reset" ? vm.Live.OnReboot : vm.Live.OnPoweroff;
        if (vm.FakeReboot || IsRestart(action))
        {
            // A reboot (ours, or on_poweroff/on_reboot restart): libvirt reports no lifecycle event and the domain stays
            // running; the reset's own STOP and RESUME are not the user's.
            vm.FakeReboot = true;
            ResetAndContinue(vm);
            return;
        }
        vm.GotShutdown = true;
        var detail = guest switch { true => ShutdownDetail.Guest, false => ShutdownDetail.Host, null => ShutdownDetail.Finished };
        Enter(vm, DomainState.Shutdown, (int)(vm.ShutdownRequested ? ShutdownReason.User : ShutdownReason.Unknown),
            DomainLifecycleEvent.ShutdownEvent(Name, Uuid, detail));
        Go(ShuttingDown(vm));
        ApplyPoweroffAction(vm, action);
    }

    private static bool IsRestart(LifecycleAction action) =>
        action is LifecycleAction.Restart or LifecycleAction.RenameRestart or LifecycleAction.CoredumpRestart;

    private void ApplyPoweroffAction(RunningVm vm, LifecycleAction action)
    {
        if (vm.FakeReboot || IsRestart(action))
            ResetAndContinue(vm);
        else if (action != LifecycleAction.Preserve)
        {
            Kill(vm, graceful: false, destroy: false);
        }
    }

    /// <summary>
    /// The guest panicked (a panic device; QEMU run with -no-shutdown pauses it): libvirt's Suspended Paused and Crashed
    /// Panicked, then on_crash: destroy ends it (Stopped Crashed), restart resets it to running (crashed), preserve keeps
    /// it crashed (panicked).
    /// </summary>
    private void GuestPanicked(RunningVm vm)
    {
        if (_state == DomainState.Crashed)
            return;
        vm.Panicked = true;
        if (_state == DomainState.Running)
            Enter(vm, DomainState.Paused, (int)PausedReason.Crashed, DomainLifecycleEvent.Suspended(Name, Uuid, SuspendedDetail.Paused));
        Enter(vm, DomainState.Crashed, (int)CrashedReason.Panicked, DomainLifecycleEvent.Crashed(Name, Uuid, CrashedDetail.Panicked));
        Go(Paused(vm));
        switch (vm.Live.OnCrash)
        {
            case LifecycleAction.Restart or LifecycleAction.RenameRestart or LifecycleAction.CoredumpRestart:
                Log.Info("Domain {Domain}: the guest panicked; resetting it (on_crash)", Name);
                vm.FakeReboot = true; // the reset's own STOP and RESUME are not the user's
                ResetAndContinue(vm);
                break;
            case LifecycleAction.Preserve:
                Log.Info("Domain {Domain}: the guest panicked; kept as it is (on_crash preserve)", Name);
                break;
            default:
                Log.Info("Domain {Domain}: the guest panicked; stopping it (on_crash)", Name);
                Kill(vm, graceful: false, destroy: false);
                break;
        }
    }

    private bool FakeRebooted(RunningVm vm, Exception? error)
    {
        vm.FakeReboot = false;
        vm.GotShutdown = false;
        vm.ShutdownRequested = false;
        if (error is not null)
        {
            Log.Error("Domain {Domain}: reboot failed ({Error}); stopping it", Name, error.Message);
            vm.GotShutdown = !vm.Panicked;
            Kill(vm, graceful: false, destroy: false);
            return true;
        }
        // After a panic with on_crash restart libvirt reports running (crashed) with Resumed Unpaused; a reboot of a
        // running domain changes nothing a client sees. A domain found shut down at reconnect is running again.
        var reason = vm.Panicked ? RunningReason.Crashed : RunningReason.Booted;
        vm.Panicked = false;
        if (_state == DomainState.Running)
            WriteStatus(vm);
        else
            Enter(vm, DomainState.Running, (int)reason, DomainLifecycleEvent.Resumed(Name, Uuid, ResumedDetail.Unpaused));
        Go(Running(vm));
        return true;
    }

    /// <summary>system_reset then cont, off the actor; <see cref="FakeRebootDone"/> brings the outcome back.</summary>
    private void ResetAndContinue(RunningVm vm)
    {
        var qmp = vm.Process!.Qmp;
        var timeout = Settings.QmpTimeout;
        var incarnation = vm.Incarnation;
        Task.Run(async () =>
        {
            await qmp.ExecuteAsync("system_reset", null, timeout).ConfigureAwait(false);
            await qmp.ExecuteAsync("cont", null, timeout).ConfigureAwait(false);
        }).PipeTo(Self, success: () => new FakeRebootDone(incarnation, null), failure: e => new FakeRebootDone(incarnation, e));
    }

    private void EnterPaused(RunningVm vm, PausedReason reason)
    {
        Enter(vm, DomainState.Paused, (int)reason, DomainLifecycleEvent.Suspended(Name, Uuid, SuspendedDetail.Paused));
        Go(Paused(vm));
    }

    private void EnterRunning(RunningVm vm, RunningReason reason)
    {
        Enter(vm, DomainState.Running, (int)reason, DomainLifecycleEvent.Resumed(Name, Uuid, ResumedDetail.Unpaused));
        Go(Running(vm));
    }
}
