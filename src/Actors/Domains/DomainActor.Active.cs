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
        SuspendDomain m => AsJob(m, () => RunQmp(vm, "suspend", "stop", completed: _ =>
        {
            // The STOP event normally came first; if not, the reply settles the state.
            if (_state == DomainState.Running)
                EnterPaused(vm, PausedReason.User);
            return Summary();
        })),
        ResumeDomain m => AsJob(m, () => _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{Name}' is already running"))),
        _ => Active(vm, message),
    };

    private Receive Paused(RunningVm vm) => message => message switch
    {
        SuspendDomain m => AsJob(m, () => _from.Tell(Summary())),
        ResumeDomain m => AsJob(m, () => RunQmp(vm, "resume", "cont", completed: _ =>
        {
            if (_state == DomainState.Paused)
                EnterRunning(vm, RunningReason.Unpaused);
            return Summary();
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
                    // libvirt's fake reboot: ask the guest to power off, then reset and continue instead of stopping.
                    vm.FakeReboot = true;
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
        // Our own SIGTERM makes QEMU report SHUTDOWN (host-signal): while destroying, events change nothing.
        if (vm.Destroying)
            return;
        switch (name)
        {
            case "STOP" when _state == DomainState.Running && !vm.FakeReboot:
                EnterPaused(vm, _job?.Name == "suspend" ? PausedReason.User : PausedReason.Unknown);
                break;
            case "RESUME" when _state == DomainState.Paused:
                EnterRunning(vm, RunningReason.Unpaused);
                break;
            case "SHUTDOWN" when _state != DomainState.Shutdown:
                GuestShutdown(vm, Flag(data, "guest"), data.TryGetProperty("reason", out var r) ? r.GetString() : null);
                break;
            case "POWERDOWN" or "RESET" or "STOP" or "RESUME" or "SHUTDOWN":
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
        vm.GotShutdown = true;
        var detail = guest switch { true => ShutdownDetail.Guest, false => ShutdownDetail.Host, null => ShutdownDetail.Finished };
        Enter(vm, DomainState.Shutdown, (int)(vm.ShutdownRequested ? ShutdownReason.User : ShutdownReason.Unknown),
            DomainLifecycleEvent.ShutdownEvent(Name, Uuid, detail));
        Go(ShuttingDown(vm));
        ApplyPoweroffAction(vm, reason == "guest-reset" ? vm.Live.OnReboot : vm.Live.OnPoweroff);
    }

    private void ApplyPoweroffAction(RunningVm vm, LifecycleAction action)
    {
        if (vm.FakeReboot || action is LifecycleAction.Restart or LifecycleAction.RenameRestart or LifecycleAction.CoredumpRestart)
        {
            var self = Self;
            var qmp = vm.Process!.Qmp;
            var timeout = Settings.QmpTimeout;
            var incarnation = vm.Incarnation;
            Task.Run(async () =>
            {
                await qmp.ExecuteAsync("system_reset", null, timeout).ConfigureAwait(false);
                await qmp.ExecuteAsync("cont", null, timeout).ConfigureAwait(false);
            }).PipeTo(self, success: () => new FakeRebootDone(incarnation, null), failure: e => new FakeRebootDone(incarnation, e));
        }
        else if (action != LifecycleAction.Preserve)
        {
            Kill(vm, graceful: false, destroy: false);
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
            vm.GotShutdown = true;
            Kill(vm, graceful: false, destroy: false);
            return true;
        }
        Enter(vm, DomainState.Running, (int)RunningReason.Booted, DomainLifecycleEvent.Resumed(Name, Uuid, ResumedDetail.Unpaused));
        Go(Running(vm));
        return true;
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
