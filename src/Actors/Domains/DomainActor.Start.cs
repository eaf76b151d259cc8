using Akka.Event;
using Akka.Actor;
using Virt.Actors.Domains.Executors;
using Virt.Actors.Domains.Lifecycle;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.CommandLine;
using Virt.Supervisor.Live;
using Virt.Supervisor.Network;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.Tpm;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Shut off and starting: probe (cached), build argv, launch with -S, cont unless paused.
public sealed partial class DomainActor
{
    private bool Shutoff(object message)
    {
        switch (message)
        {
            case Start m:
                BeginStart(m);
                return true;
            case OpenGraphics:
                _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, "domain is not running")); // libvirt's words (virDomainObjCheckActive)
                return true;
            case IDomainCommand:
                _from.Tell(NotRunning());
                return true;
            default:
                return false;
        }
    }

    private void BeginStart(Start m)
    {
        _from = m.ReplyTo;
        BeginJob(JobKind.Start, operation: m.Restore is null ? DomainJobOperation.Start : DomainJobOperation.Restore);
        var vm = new RunningVm(NextToken(), m.Id, m.Restore?.Live ?? _entry.Definition, m.AutodestroyOwner) { Launch = new CancellationTokenSource(), State = VmState.Starting };
        _vm = vm;
        Log.Info(m.Restore is null ? "Starting domain {Domain} with id {Id}" : "Restoring domain {Domain} with id {Id} from {Path}", Name, m.Id, m.Restore?.Path);
        var paused = m.Restore?.Paused ?? m.Flags.HasFlag(DomainCreateFlags.StartPaused);
        var restore = m.Restore is { } r ? (r.Path, r.Image) : ((string, Supervisor.Save.SaveImage)?)null;
        _incoming = m.IncomingUri is not null;
        QemuLauncher.LaunchAsync(_runtime, vm.Live, vm.Id, paused, QmpOptions(vm.Incarnation, Self), vm.Launch!.Token, restore, m.IncomingUri)
            .PipeTo(Self, success: r => new Launched(vm.Incarnation, r.Process, r.Live), failure: e => new LaunchFailed(vm.Incarnation, e));
        Go(Starting(vm, paused, m.Restore));
    }

    /// <summary>QMP events and the connection's end are Told to the captured self, tagged with the incarnation.</summary>
    private QmpClientOptions QmpOptions(long incarnation, IActorRef self) => new()
    {
        CommandTimeout = Settings.QmpTimeout,
        OnEvent = e => self.Tell(new QemuEventArrived(incarnation, e)),
    };

    private Receive Starting(RunningVm vm, bool paused, RestoreFrom? restore) => message =>
    {
        switch (message)
        {
            case Launched m:
                vm.Live = m.Live;
                Launch(vm, m.Process, paused, restore);
                return true;
            case LaunchFailed m:
                StartFailed(vm, m.Error);
                return true;
            case DestroyDomain:
                // Never waits for the start: cancel the spawn; a process that made it is killed on arrival.
                vm.DestroyWaiters.Add(_from);
                if (!vm.State.Destroying)
                {
                    vm.Launch?.Cancel();
                    Apply(vm, new VmInput.DestroyAsked(Graceful: false), settle: false);
                }
                return true;
            case ProcessExited m:
                Exited(vm, m.Exit);
                return true;
            case KillDone m:
                KillFinished(vm, m);
                return true;
            case QemuEventArrived:
                return true; // cont's outcome comes with Launched
            case IDomainCommand m:
                if (!Busy(m))
                    _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{Name}' is starting"));
                return true;
            default:
                return false;
        }
    };

    private void Launch(RunningVm vm, QemuProcess process, bool paused, RestoreFrom? restore)
    {
        vm.Process = process;
        vm.Launch = null;
        WatchExit(vm, process);
        Log.Info("Domain {Domain} started: QEMU pid {Pid}", Name, process.Pid);
        if (vm.State.Destroying)
        {
            Kill(vm, graceful: false, abortJob: true);
            return;
        }
        var incoming = _incoming;
        _incoming = false;
        vm.State = VmLifecycle.Step(vm.State, new VmInput.Launched(paused, Restored: restore is not null, Incoming: incoming), VmContext.Of(Name, Uuid, vm.Live)).Next;
        // The status file is on disk before anyone hears of the start. Without it a restarted runtime would kill the
        // QEMU as an orphan: as libvirt, fail the start and leave nothing running.
        if (WriteStatus(vm) is { } unrecorded)
        {
            Log.Warning("Domain {Domain}: killing QEMU pid {Pid}: its status file could not be written", Name, process.Pid);
            _ = QemuEnd.KillAndReleaseAsync(process);
            vm.Process = null;
            StartFailed(vm, new VirtException(ErrorCode.OperationFailed,
                $"cannot start domain '{Name}': its status file could not be written: {unrecorded.Message}", unrecorded));
            return;
        }
        Context.Parent.Tell(incoming ? new Started(Uuid, StartedDetail.Migrated, Paused: true)
            : restore is null ? new Started(Uuid, StartedDetail.Booted, paused)
            : new Started(Uuid, StartedDetail.Restored, paused, restore.PausedDetail));
        if (restore is { RemoveAfter: true })
            RemoveManagedImage(restore.Path);
        EndJob(Summary());
        Go(paused || incoming ? Paused(vm) : Running(vm));
    }

    private void StartFailed(RunningVm vm, Exception error)
    {
        RemoveRuntimeFiles(vm);
        _vm = null;
        if (vm.State.Destroying)
        {
            FinishStop(vm, ShutoffReason.Destroyed);
            return;
        }
        Log.Warning("Domain {Domain} failed to start: {Error}", Name, error.Message);
        _stopped = (DomainState.Shutoff, (int)ShutoffReason.Failed);
        Context.Parent.Tell(new StartAbandoned(Uuid));
        EndJob(Failure(error) is var reply && reply.Code == ErrorCode.InternalError
            ? new ErrorReply(ErrorCode.OperationFailed, $"cannot start domain '{Name}': {reply.Message}")
            : reply);
        Go(Shutoff);
    }

    private void WatchExit(RunningVm vm, QemuProcess process)
    {
        var incarnation = vm.Incarnation;
        QemuEnd.ExitAfterLastEventsAsync(process).PipeTo(Self, success: exit => new ProcessExited(incarnation, exit));
    }
}
