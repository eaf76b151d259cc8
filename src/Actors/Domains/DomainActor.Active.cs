using Akka.Event;
using System.Text.Json;
using Akka.Actor;
using Virt.Actors.Domains.Executors;
using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Running, paused and shutting down: commands run as jobs; QEMU's news goes through the lifecycle's rules.
public sealed partial class DomainActor
{
    private Receive Running(RunningVm vm) => message => message switch
    {
        SuspendDomain m => AsJob(m, () => RunQmp(vm, JobKind.Suspend, "stop", completed: _ =>
        {
            // The STOP event normally came first; if not, the reply settles the state.
            Apply(vm, new VmInput.Suspended());
            return Recorded(vm);
        })),
        ResumeDomain m => AsJob(m, () => _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{Name}' is already running"))),
        _ => Active(vm, message),
    };

    /// <summary>Paused, or crashed after a guest panic (which resume leaves, as in libvirt).</summary>
    private Receive Paused(RunningVm vm) => message => message switch
    {
        SuspendDomain m => AsJob(m, () => _from.Tell(Summary())),
        ResumeDomain m => AsJob(m, () => RunQmp(vm, JobKind.Resume, "cont", completed: _ =>
        {
            Apply(vm, new VmInput.Resumed());
            return Recorded(vm);
        })),
        _ => Active(vm, message),
    };

    /// <summary>After QEMU's SHUTDOWN: waiting for the exit (or a fake reboot, or preserved as is).</summary>
    private Receive ShuttingDown(RunningVm vm) => message => message switch
    {
        ShutdownDomain or RebootDomain or ResetDomain or SuspendDomain or ResumeDomain => AsJob(message,
            () => _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{Name}' is shutting down"))),
        _ => Active(vm, message),
    };

    /// <summary>The behaviour of a live domain in <paramref name="state"/>.</summary>
    private Receive BehaviorFor(RunningVm vm, DomainState state) => state switch
    {
        DomainState.Running => Running(vm),
        DomainState.Shutdown => ShuttingDown(vm),
        _ => Paused(vm),
    };

    /// <summary>What running, paused and shutting down handle alike.</summary>
    private bool Active(RunningVm vm, object message)
    {
        switch (message)
        {
            case FakeRebootDone m:
                Apply(vm, new VmInput.ResetDone(m.Error?.Message));
                return true;
            case ResetDue:
                if (!vm.State.Destroying)
                    ResetAndContinue(vm);
                return true;
            case DestroyDomain m:
                vm.DestroyWaiters.Add(_from);
                Apply(vm, new VmInput.DestroyAsked(m.Flags.HasFlag(Protocol.Api.DomainDestroyFlags.Graceful)));
                return true;
            case ShutdownDomain m:
                return AsJob(m, () => Shutdown(vm, m.WaitFor));
            case RebootDomain m:
                return AsJob(m, () =>
                {
                    Apply(vm, new VmInput.RebootAsked());
                    RunQmp(vm, JobKind.Reboot, "system_powerdown", failed: () => Apply(vm, new VmInput.RebootFailed()));
                });
            case ResetDomain m:
                return AsJob(m, () => RunQmp(vm, JobKind.Reset, "system_reset"));
            case QemuMonitorCommand m:
                return AsJob(m, () => Passthrough(vm, m.Json));
            case Protocol.Api.DomainSaves.SaveDomain m:
                return AsJob(m, () => Save(vm, m.Path));
            case MigrateOut m:
                return AsJob(m, () => Migrate(vm, m));
            case FinishIncoming m:
                return AsJob(m, () => AcceptStream(vm));
            case ConfirmMigration m:
                return AsJob(m, () => Confirm(vm, m));
            case SnapshotJob m:
                return AsJob(m, () => RunSnapshotJob(vm, m));
            case ExternalSnapshotJob m:
                return AsJob(m, () => RunExternalSnapshot(vm, m));
            case ExternalSnapshotDeleteJob m:
                return AsJob(m, () => RunExternalSnapshotDelete(vm, m));
            case Protocol.Api.DomainDevices.AttachDevice m when Registry.InterfaceChanges.IsInterface(m.Xml):
                return AsJob(m, () => AttachInterface(vm, m));
            case Protocol.Api.DomainDevices.AttachDevice m:
                return AsJob(m, () => AttachDisk(vm, m));
            case Protocol.Api.DomainDevices.DetachDevice m when Registry.InterfaceChanges.IsInterface(m.Xml):
                return AsJob(m, () => DetachInterface(vm, m));
            case Protocol.Api.DomainDevices.DetachDevice m:
                return AsJob(m, () => DetachDisk(vm, m));
            case UnplugWaitExpired m:
                // As libvirt: the guest did not let the device go in time; the detach succeeded, the removal is its own.
                if (InFlight?.Token == m.Job)
                    EndJob(Summary());
                return true;
            case QemuEventArrived { Event.Name: "DEVICE_DELETED" } m when Supervisor.Live.DiskHotplug.DeletedDevice(m.Event.Data) is { } gone && vm.PendingUnplugs.ContainsKey(gone):
                DeviceDeleted(vm, gone);
                return true;
            case Protocol.Api.DomainDevices.UpdateDevice m when Registry.InterfaceChanges.IsInterface(m.Xml):
                return AsJob(m, () => UpdateInterface(vm, m));
            case Protocol.Api.DomainDevices.UpdateDevice m:
                return AsJob(m, () => ChangeMedium(vm, m));
            case Protocol.Api.DomainResources.SetMemory m:
                return AsJob(m, () => SetLiveMemory(vm, m));
            case Protocol.Api.DomainResources.SetVcpus:
                _from.Tell(new ErrorReply(ErrorCode.OperationUnsupported,
                    $"the vCPU count of running domain '{Name}' cannot change: its machine is built without hot-pluggable vCPUs"));
                return true;
            case TakeScreenshot m:
                return AsJob(m, () => Screenshot(vm, m.Screen));
            case OpenGraphics m:
                return AsJob(m, () => OpenGraphicsClient(vm, m));
            case Protocol.Api.ConsoleCommands.OpenConsole m:
                OpenConsole(vm, m);
                return true;
            case ConsoleClosed m:
                vm.Consoles.Forget(m.Session, m.Device);
                return true;
            case QemuEventArrived m:
                var data = m.Event.Data;
                Apply(vm, new VmInput.QemuEvent(m.Event.Name, Flag(data, "guest"), Text(data, "reason"), SuspendInFlight: InFlight?.Kind == JobKind.Suspend,
                    At: DateTimeOffset.UtcNow));
                return true;
            case ProcessExited m:
                Exited(vm, m.Exit);
                return true;
            case KillDone m:
                KillFinished(vm, m);
                return true;
            case ShutdownWaitExpired m when InFlight?.Token == m.Job:
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
        Apply(vm, new VmInput.ShutdownAsked());
        RunQmp(vm, JobKind.Shutdown, "system_powerdown", completed: _ =>
        {
            if (waitFor is not { } wait)
                return Summary();
            // Keep the job until the domain shuts off; a timer bounds the wait.
            var token = InFlight!.Token;
            Timers.StartSingleTimer(ShutdownWaitKey(token), new ShutdownWaitExpired(token), wait);
            _jobs.Update(InFlight with { SucceedsOnStop = true });
            return null;
        }, failed: () => Apply(vm, new VmInput.ShutdownFailed()));
    }

    private void Passthrough(RunningVm vm, string json)
    {
        string execute;
        JsonElement? arguments;
        try
        {
            (execute, arguments) = Supervisor.Qmp.QmpCommandText.Parse(json);
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
        RunQmp(vm, JobKind.MonitorCommand, execute, arguments,
            completed: r => new QemuMonitorReply($"{{\"return\":{r.GetRawText()}}}"));
    }

    private static bool? Flag(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : null;

    private static string? Text(JsonElement data, string name) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>system_reset then cont, off the actor; <see cref="FakeRebootDone"/> brings the outcome back.</summary>
    private void ResetAndContinue(RunningVm vm)
    {
        var incarnation = vm.Incarnation;
        QemuLauncher.ResetAndContinueAsync(vm.Process!.Qmp, Settings.QmpTimeout)
            .PipeTo(Self, success: () => new FakeRebootDone(incarnation, null), failure: e => new FakeRebootDone(incarnation, e));
    }
}
