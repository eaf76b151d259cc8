using Akka.Actor;
using Akka.Event;
using Virt.Actors.Domains.Executors;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Qmp;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

/// <summary>
/// One domain (/user/domains/UUID) and its QEMU: a state machine (shut off, starting, reconnecting, running,
/// paused, shutting down) with libvirt's states, reasons and events; one job at a time; destroy never waits.
/// An exception restarts the actor, which reconnects to the QEMU from its status file and never touches the VM.
/// </summary>
public sealed partial class DomainActor : ActorBase, IWithTimers
{
    /// <summary>From the registry: the domain's record changed (config, persistence, autostart, state).</summary>
    internal sealed record EntryChanged(DomainEntry Entry);

    /// <summary>From the registry: start with the id the registry gave, answer <paramref name="ReplyTo"/>.</summary>
    internal sealed record Start(DomainCreateFlags Flags, IActorRef ReplyTo, int Id, string? AutodestroyOwner, RestoreFrom? Restore = null)
    {
        /// <summary>Another node's migration stream to wait for (tcp:HOST:PORT): QEMU starts with -incoming defer and listens there.</summary>
        public string? IncomingUri { get; init; }
    }

    /// <summary>Send the running guest to the QEMU listening at <paramref name="Uri"/>; answered once the stream completed (this QEMU is then paused).</summary>
    /// <param name="SuspendAfter">A live migration still running this long stops the vCPUs, so it converges (virsh migrate --timeout).</param>
    internal sealed record MigrateOut(string Uri, bool Live, TimeSpan? SuspendAfter = null);

    /// <summary>On the destination: wait until the stream is in, then run the vCPUs (running (migrated)).</summary>
    internal sealed record FinishIncoming
    {
        public static readonly FinishIncoming Instance = new();
    }

    /// <summary>On the source, after <see cref="MigrateOut"/>: the destination runs it (this QEMU goes), or not (it runs on here).</summary>
    internal sealed record ConfirmMigration(bool Succeeded);

    /// <summary>
    /// A start from a save image: its guest definition and state; paused or not as the image and the request say (with
    /// the suspend event's detail); a managed image is removed once the guest runs from it.
    /// </summary>
    internal sealed record RestoreFrom(string Path, Supervisor.Save.SaveImage Image, DomainDefinition Live, bool Paused, SuspendedDetail PausedDetail, bool RemoveAfter);

    /// <summary>To the registry: the process is running (or paused when started paused).</summary>
    internal sealed record Started(DomainUuid Uuid, StartedDetail Detail, bool Paused, SuspendedDetail PausedDetail = SuspendedDetail.Paused);

    /// <summary>To the registry: an active domain's state changed, with the event to publish (if any).</summary>
    internal sealed record Transition(DomainUuid Uuid, DomainState State, int Reason, DomainLifecycleEvent? Event);

    /// <summary>A device went into or out of the guest: the registry publishes libvirt's device event, in order with the others.</summary>
    internal sealed record DeviceChanged(DomainUuid Uuid, string Alias, bool Added);

    /// <summary>QEMU reset the guest: the registry publishes libvirt's reboot event, in order with the lifecycle ones.</summary>
    internal sealed record Rebooted(DomainUuid Uuid);

    /// <summary>To the registry: the process is gone; <paramref name="Detail"/> when the event's is not the reason's own.</summary>
    internal sealed record Stopped(DomainUuid Uuid, ShutoffReason Reason, StoppedDetail? Detail = null);

    /// <summary>To the registry: a start ended before any process ran; the id is free again.</summary>
    internal sealed record StartAbandoned(DomainUuid Uuid);

    /// <summary>To the registry: an attached QEMU could not be adopted; the transient domain goes without an event.</summary>
    internal sealed record AttachAbandoned(DomainUuid Uuid);

    /// <summary>To the registry: the reconnect after a runtime start ended (adopted, buried, or nothing to adopt).</summary>
    internal sealed record ReconnectEnded(DomainUuid Uuid);

    /// <summary>To the registry: this actor restarted and needs its current entry.</summary>
    internal sealed record Restarted(DomainUuid Uuid);

    private static long s_tokens;

    private DomainEntry _entry;
    private readonly DomainRuntime _runtime;
    private RunningVm? _vm;
    /// <summary>libvirt's state while no QEMU runs; a live domain's is its lifecycle's (<see cref="RunningVm.State"/>).</summary>
    private (DomainState State, int Reason) _stopped;
    private Receive _behavior;
    private IActorRef _from = ActorRefs.Nobody;
    private ILoggingAdapter? _log;
    private IActorRef? _attachReplyTo;

    /// <param name="attachReplyTo">Set for a QEMU just attached (its status file written): adopt it and answer there.</param>
    public DomainActor(DomainEntry entry, DomainRuntime runtime, IActorRef? attachReplyTo = null)
    {
        _entry = entry;
        _runtime = runtime;
        _attachReplyTo = attachReplyTo;
        _stopped = (DomainState.Shutoff, entry.Active ? (int)ShutoffReason.Unknown : entry.Reason);
        _behavior = Shutoff;
    }

    public static Props Props(DomainEntry entry, DomainRuntime runtime, IActorRef? attachReplyTo = null) =>
        Akka.Actor.Props.Create<DomainActor>(entry, runtime, attachReplyTo!); // no expression tree: one per domain at start

    private ILoggingAdapter Log => _log ??= Context.GetLogger();
    private DomainName Name => _entry.Name;
    private DomainUuid Uuid => _entry.Uuid;
    private VirtRuntimeSettings Settings => _runtime.Settings;
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The one place a domain's current state is read from.</summary>
    private DomainState State => _vm?.State.State ?? _stopped.State;
    private int Reason => _vm?.State.Reason ?? _stopped.Reason;

    /// <summary>Unique across actor restarts, so a result meant for a previous instance is never taken as ours.</summary>
    private static long NextToken() => Interlocked.Increment(ref s_tokens);

    protected override bool Receive(object message) => Dispatch(_behavior, message);

    /// <summary>Every message: what all states answer alike, then the state's own; then the next queued job, if free.</summary>
    private bool Dispatch(Receive behavior, object message)
    {
        _from = Sender;
        var handled = Common(message) || behavior(message);
        PumpQueue();
        return handled;
    }

    protected override void PreStart()
    {
        // A domain the registry found active was running before this runtime started (or was just attached):
        // adopt or bury its QEMU.
        var attachReplyTo = _attachReplyTo;
        _attachReplyTo = null;
        if (_entry.Active)
            Reconnect(runtimeStart: attachReplyTo is null, attachReplyTo);
    }

    protected override void PreRestart(Exception reason, object message)
    {
        FailAllRequests(new ErrorReply(ErrorCode.InternalError, $"domain '{Name}' had an internal error: {reason.Message}"));
        // The QEMU keeps running: only our monitor connection goes; the next instance reconnects.
        Release(_vm);
        _vm = null;
    }

    protected override void PostRestart(Exception reason)
    {
        Log.Warning("Domain {Domain} actor restarted after {Error}; reconnecting", Name, reason.Message);
        Context.Parent.Tell(new Restarted(Uuid));
        Reconnect(runtimeStart: false);
    }

    protected override void PostStop()
    {
        // A normal stop (daemon shutdown) leaves QEMU running; the next runtime reconnects from the status file.
        FailAllRequests(new ErrorReply(ErrorCode.OperationFailed, $"the runtime is stopping; domain '{Name}' keeps running"));
        Release(_vm);
        _vm = null;
    }

    private void Go(Receive behavior)
    {
        _behavior = behavior;
        Context.Become(message => Dispatch(behavior, message));
    }

    /// <summary>Messages every state answers the same way.</summary>
    private bool Common(object message)
    {
        switch (message)
        {
            case EntryChanged m:
                _entry = m.Entry;
                if (_vm is null && !m.Entry.Active)
                    _stopped = (m.Entry.State, m.Entry.Reason);
                return true;
            case GetDomainInfo:
                _from.Tell(Info());
                return true;
            case GetDomainXml m:
                _from.Tell(DumpXml(m.Inactive, m.Secure));
                return true;
            case CollectStats m:
                Collect(m);
                return true;
            case Protocol.Api.DomainQueries.GetMemoryStats:
                MemoryStatsOf();
                return true;
            case Protocol.Api.DomainJobs.GetJobStats m:
                JobStatsOf(m);
                return true;
            case Protocol.Api.DomainJobs.AbortJob:
                AbortJobOf();
                return true;
            case JobDone m:
                CompleteJob(m);
                return true;
            case JobReplied m:
                CompleteJob(m);
                return true;
            case CommitsDone m:
                FinishCommits(m);
                return true;
            case WaitExpired m:
                ExpireWaiter(m.Ticket);
                return true;
            case Launched m when m.Incarnation != _vm?.Incarnation:
                // A spawn that finished after its domain was destroyed or its actor restarted: nobody owns it.
                Log.Warning("Domain {Domain}: killing QEMU pid {Pid} from an abandoned start", Name, m.Process.Pid);
                _ = QemuEnd.KillAndReleaseAsync(m.Process);
                return true;
            case Adopted m when m.Incarnation != _vm?.Incarnation:
                QemuEnd.Release(m.Process);
                return true;
            case IncarnationMessage m when m.Incarnation != _vm?.Incarnation:
                return true; // late news about a QEMU this actor no longer runs
            default:
                return false;
        }
    }

    private DomainSummary Summary() => _entry.ToSummary() with { Id = _vm?.Id, State = State, Reason = Reason };

    private DomainInfo Info()
    {
        var d = _vm?.Live ?? _entry.Definition;
        var cpu = _vm?.Process is { } p ? ProcFs.ReadStat(p.Pid)?.CpuNanoseconds ?? 0 : 0;
        return new DomainInfo(Summary(), d.MemoryKiB, d.CurrentMemoryKiB == 0 ? d.MemoryKiB : d.CurrentMemoryKiB, d.Vcpu.Count, cpu)
        {
            Taints = _vm?.Taints.ToArray() ?? [],
        };
    }

    /// <summary>dominfo of a shut-off domain, from its registry entry alone.</summary>
    internal static DomainInfo InactiveInfo(DomainEntry entry)
    {
        var d = entry.Definition;
        return new DomainInfo(entry.ToSummary(), d.MemoryKiB, d.CurrentMemoryKiB == 0 ? d.MemoryKiB : d.CurrentMemoryKiB, d.Vcpu.Count, 0);
    }

    private IDomainReply DumpXml(bool inactive, bool secure) =>
        XmlOf(Name, inactive ? _entry.Config : _vm?.Live ?? _entry.Definition, inactive ? null : _vm?.Id, secure);

    /// <summary>dumpxml of one definition; the registry's answer for a shut-off domain, from its entry alone.</summary>
    internal static IDomainReply XmlOf(DomainName name, DomainDefinition definition, int? id, bool secure)
    {
        try
        {
            return new DomainXmlDescription(name, Protocol.Domains.DomainXml.Format(definition, id, secure));
        }
        catch (VirtException e)
        {
            return ErrorReply.From(e);
        }
    }

    private ErrorReply NotRunning() => new(ErrorCode.OperationInvalid, $"domain '{Name}' is not running");

    private static ErrorReply Failure(Exception e) => e switch
    {
        VirtException v => ErrorReply.From(v),
        OperationCanceledException => new ErrorReply(ErrorCode.OperationFailed, "the operation was cancelled"),
        _ => new ErrorReply(ErrorCode.InternalError, e.Message),
    };

    /// <summary>Lets go of an incarnation: a spawn in flight is cancelled, consoles end, the monitor closed; QEMU keeps running.</summary>
    private static void Release(RunningVm? vm)
    {
        vm?.Launch?.Cancel();
        vm?.Consoles.EndAll(null);
        if (vm?.Process is { } process)
            QemuEnd.Release(process);
    }
}
