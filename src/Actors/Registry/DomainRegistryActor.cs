using Akka.Actor;
using Akka.Event;
using Virt.Actors.Config;
using Virt.Actors.Connections;
using Virt.Actors.Domains;
using Virt.Actors.Runtime;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using Virt.Supervisor.Status;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

/// <summary>
/// /user/domains: name and UUID uniqueness, persistence, lookup, autostart; one <see cref="DomainActor"/>
/// child per domain, named by UUID; a <see cref="DomainLifecycleEvent"/> on the EventStream for every change.
/// </summary>
/// <remarks>
/// The start-up scan runs as a task (it may read thousands of files) while commands are stashed. Config
/// writes (one small file, fsync, rename) are done synchronously so the reply means "on disk" and writes
/// cannot reorder; they take milliseconds.
/// </remarks>
public sealed partial class DomainRegistryActor : ReceiveActor, IWithUnboundedStash
{
    /// <summary>Asks which config files the start-up scan skipped; answered with <see cref="ScanReport"/>.</summary>
    public sealed record GetScanReport
    {
        public static readonly GetScanReport Instance = new();
    }

    /// <summary>Re-reads the config directory (SIGHUP): new files are added, changed ones update their domain.</summary>
    public sealed record Rescan
    {
        public static readonly Rescan Instance = new();
    }

    private sealed record RescanCompleted(ConfigScan Scan);

    /// <summary>Answered with <see cref="ReconnectsSettled"/> once every domain found running at start is adopted or buried.</summary>
    public sealed record WaitForReconnects
    {
        public static readonly WaitForReconnects Instance = new();
    }

    public sealed record ReconnectsSettled
    {
        public static readonly ReconnectsSettled Instance = new();
    }

    /// <summary>
    /// The files skipped at start and why; answered only once the scan is done, so asking is also how a runtime
    /// waits for it. <paramref name="Failure"/> is set when the directory itself could not be scanned.
    /// </summary>
    public sealed record ScanReport(IReadOnlyList<ConfigProblem> Problems, string? Failure = null);

    private sealed record ScanCompleted(ConfigScan Scan, IReadOnlyList<StatusFileReadResult> Statuses);

    private sealed record ScanFailed(Exception Cause);

    private readonly ConfigStore _store;
    private readonly DomainRuntime _runtime;
    private readonly RegistryState _state = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<DomainUuid, IActorRef> _children = [];
    private readonly HashSet<DomainUuid> _stopping = [];
    private IReadOnlyList<ConfigProblem> _problems = [];
    private readonly HashSet<DomainUuid> _reconnecting = [];
    private readonly Dictionary<DomainUuid, (DomainCreateFlags Flags, IActorRef ReplyTo, AutodestroyOwner? Owner, DomainActor.RestoreFrom? Restore)> _deferredStarts = [];
    private readonly List<IActorRef> _reconnectWaiters = [];

    public IStash Stash { get; set; } = null!;

    public DomainRegistryActor(ConfigStore store, DomainRuntime runtime)
    {
        _store = store;
        _runtime = runtime;
        Loading();
    }

    /// <summary>The registry on <paramref name="store"/>; without a runtime, the embed layout next to the config directory.</summary>
    public static Props Props(ConfigStore store, DomainRuntime? runtime = null)
    {
        runtime ??= new DomainRuntime(VirtRuntimeSettings.ForConfigDirectory(store.Directory));
        return Akka.Actor.Props.Create(() => new DomainRegistryActor(store, runtime));
    }

    /// <summary>
    /// Domain actors restart on any exception (they reconnect to their QEMU from its status file); only a
    /// failing constructor stops one.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new OneForOneStrategy(e => e is ActorInitializationException ? Directive.Stop : Directive.Restart);

    protected override void PreStart()
    {
        var store = _store;
        var statusFiles = _runtime.StatusFiles;
        var runtimeDir = _runtime.Settings.Paths.RuntimeDir;
        var log = _log;
        var scan = store.InitialScanAsync(); // may have started before the actor system did
        Task.Run(async () =>
            {
                var statuses = statusFiles.List();
                KillOrphans(runtimeDir, statuses, log);
                return new ScanCompleted(await scan.ConfigureAwait(false), statuses);
            })
            .PipeTo(Self, success: s => s, failure: e => new ScanFailed(e));
    }

    /// <summary>A QEMU of ours without a status file was spawned by a runtime that died before recording it.</summary>
    private static void KillOrphans(string runtimeDir, IReadOnlyList<StatusFileReadResult> statuses, ILoggingAdapter log)
    {
        var known = statuses.Where(s => s.Status is not null).Select(s => s.Status!.Pid).ToHashSet();
        foreach (var pid in Supervisor.Processes.OrphanedQemus.Find(runtimeDir, known))
        {
            log.Warning("Killing QEMU pid {Pid}: its monitor is in {RuntimeDir} but no status file records it (a start interrupted by a crash)", pid, runtimeDir);
            try
            {
                Supervisor.Processes.OrphanedQemus.Kill(pid);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or Protocol.Errors.VirtException)
            {
                log.Warning("Could not kill orphaned QEMU pid {Pid}: {Reason}", pid, e.Message);
            }
        }
    }

    private static ErrorReply NotClustered(string host) =>
        new(ErrorCode.InvalidArg, $"no node named '{host}': this daemon is not part of a cluster (virt.cluster)");

    private void Loading()
    {
        Receive<ScanCompleted>(m =>
        {
            Load(m.Scan, m.Statuses);
            Stash.UnstashAll();
            Become(Ready);
            if (_runtime.Settings.Autostart)
                Autostart();
        });
        Receive<ScanFailed>(m =>
        {
            // A restart would only scan the same unreadable directory again: refuse every call and say why, so the
            // runtime that waits for the scan fails to start with the reason.
            var failure = $"cannot scan config directory {_store.Directory}: {m.Cause.Message}";
            _log.Error(m.Cause, "Cannot scan config directory {Directory}: {Reason}", _store.Directory, m.Cause.Message);
            Stash.UnstashAll();
            Become(() => Failed(failure));
        });
        ReceiveAny(_ => Stash.Stash());
    }

    private void Failed(string failure)
    {
        Receive<GetScanReport>(_ => Sender.Tell(new ScanReport(_problems, failure)));
        Receive<WaitForReconnects>(_ => Sender.Tell(ReconnectsSettled.Instance));
        ReceiveAny(_ => Sender.Tell(new ErrorReply(ErrorCode.OperationFailed, failure)));
    }

    private void Ready()
    {
        // The hot queries first: handlers are tried in order.
        Receive<GetDomainInfo>(Info);
        ReceiveMigrations();
        // On a cluster node /user/cluster answers lists across nodes; a daemon alone has no other host to name.
        Receive<DefineDomain>(m => m.Host is not null, m => Sender.Tell(NotClustered(m.Host!)));
        Receive<CreateDomain>(m => m.Host is not null, m => Sender.Tell(NotClustered(m.Host!)));
        Receive<ListDomains>(m => m.Host is not null, m => Sender.Tell(NotClustered(m.Host!)));
        Receive<ListDomains>(m => Sender.Tell(_state.List(m.Filter)));
        Receive<DefineDomain>(m =>
        {
            var replyTo = Sender;
            WithHardware(m.Xml, replyTo, definition => replyTo.Tell(Define(definition)));
        });
        Receive<UndefineDomain>(m => Sender.Tell(Undefine(m.Domain, m.Flags)));
        Receive<CreateDomain>(m => Create(m));
        Receive<Connections.OwnedStart>(OwnedStart);
        Receive<SetAutostart>(m => Sender.Tell(SetAutostart(m.Domain, m.Enabled)));
        Receive<LookupDomain>(m => Sender.Tell(_state.Lookup(m.Domain).Reply));
        Receive<GetDomainXml>(Xml);
        Receive<StartDomain>(m => StartExisting(m));
        Receive<ShutdownDomain>(m => ForwardToDomain(m.Domain, m));
        Receive<DestroyDomain>(m => ForwardToDomain(m.Domain, m));
        Receive<SuspendDomain>(m => ForwardToDomain(m.Domain, m));
        Receive<ResumeDomain>(m => ForwardToDomain(m.Domain, m));
        Receive<RebootDomain>(m => ForwardToDomain(m.Domain, m));
        Receive<ResetDomain>(m => ForwardToDomain(m.Domain, m));
        Receive<QemuMonitorCommand>(m => ForwardToDomain(m.Domain, m));
        Receive<Protocol.Api.ConsoleCommands.OpenConsole>(m => ForwardToDomain(m.Domain, m));
        ReceiveStats();
        ReceiveResources();
        ReceiveSaves();
        ReceiveSnapshots();
        Receive<TakeScreenshot>(m => ForwardToDomain(m.Domain, m));
        Receive<OpenGraphics>(m => ForwardToDomain(m.Domain, m));
        Receive<DomainActor.Started>(m => Apply(_state.MarkStarted(m.Uuid, m.Detail, m.Paused, m.PausedDetail), m.Uuid));
        Receive<DomainActor.Transition>(m => Apply(_state.Record(m.Uuid, m.State, m.Reason, m.Event), m.Uuid));
        Receive<DomainActor.Rebooted>(m =>
        {
            if (_state.Find(m.Uuid) is not { Id: { } id } entry)
                return;
            _log.Info("Domain {Domain} ({Uuid}): reboot", entry.Name, m.Uuid);
            Context.System.EventStream.Publish(new DomainRebootEvent(entry.Name, m.Uuid) { Id = id });
        });
        Receive<DomainActor.DeviceChanged>(m =>
        {
            if (_state.Find(m.Uuid) is not { Id: { } id } entry)
                return;
            _log.Info("Domain {Domain} ({Uuid}): device {Alias} {Change}", entry.Name, m.Uuid, m.Alias, m.Added ? "added" : "removed");
            Context.System.EventStream.Publish(new DomainDeviceEvent(entry.Name, m.Uuid, m.Alias, m.Added) { Id = id });
        });
        Receive<DomainActor.Stopped>(m => Apply(_state.MarkStopped(m.Uuid, m.Reason, m.Detail), m.Uuid));
        Receive<DomainActor.StartAbandoned>(m => Apply(_state.AbandonStart(m.Uuid), m.Uuid));
        Receive<WaitForReconnects>(_ =>
        {
            if (_reconnecting.Count == 0)
                Sender.Tell(ReconnectsSettled.Instance);
            else
                _reconnectWaiters.Add(Sender);
        });
        Receive<DomainActor.ReconnectEnded>(m => ReconnectEnded(m.Uuid));
        Receive<DomainActor.Restarted>(m =>
        {
            if (_state.Find(m.Uuid) is { } entry)
                Sender.Tell(new DomainActor.EntryChanged(entry));
        });
        ReceiveAttach();
        Receive<GetScanReport>(_ => Sender.Tell(new ScanReport(_problems)));
        Receive<Rescan>(_ =>
        {
            var store = _store;
            Task.Run(store.Scan).PipeTo(Self, success: s => new RescanCompleted(s),
                failure: e => new RescanCompleted(new ConfigScan([], [new ConfigProblem(store.Directory, e.Message)], 0)));
        });
        Receive<RescanCompleted>(m => ApplyRescan(m.Scan));
        Receive<Terminated>(ChildTerminated);
    }

    /// <summary>Configs first, then the status files of QEMUs that may still run; children are made last, so they see both.</summary>
    /// <summary>
    /// Files the user added or edited by hand since the last scan become defines (DEFINED ADDED or UPDATED);
    /// unchanged ones and clashes are left as they are, and a file that vanished does not undefine anything.
    /// </summary>
    private void ApplyRescan(ConfigScan scan)
    {
        var changed = 0;
        foreach (var config in scan.Loaded)
        {
            var existing = _state.Find(new DomainUuid(config.Definition.Uuid));
            if (existing is not null && (ReferenceEquals(existing.Config, config.Definition)
                || DomainXml.Format(existing.Config, secure: true) == DomainXml.Format(config.Definition, secure: true)))
                continue;
            var outcome = _state.Define(config.Definition);
            if (outcome.Reply is ErrorReply error)
            {
                _log.Warning("Rescan skipped {File}: {Reason}", config.FileName, error.Message);
                continue;
            }
            changed++;
            var uuid = new DomainUuid(config.Definition.Uuid);
            Apply(outcome, uuid);
            if (config.Autostart && existing?.Autostart != true)
                Apply(_state.SetAutostart(DomainRef.ByUuid(uuid), true), uuid);
        }
        foreach (var problem in scan.Problems)
            _log.Warning("Rescan skipped {File} in {Directory}: {Reason}", problem.FileName, _store.Directory, problem.Reason);
        _problems = scan.Problems;
        _log.Info("Rescanned {Directory}: {Parsed} files read, {Changed} domains added or updated", _store.Directory, scan.Parsed, changed);
    }

    private void Load(ConfigScan scan, IReadOnlyList<StatusFileReadResult> statuses)
    {
        var problems = scan.Problems.ToList();
        foreach (var config in scan.Loaded)
        {
            var outcome = _state.Load(config.Definition, config.Autostart);
            if (outcome.Reply is ErrorReply error)
                problems.Add(new ConfigProblem(config.FileName, error.Message));
        }
        foreach (var problem in problems)
            _log.Warning("Skipped domain config {File} in {Directory}: {Reason}", problem.FileName, _store.Directory, problem.Reason);
        _problems = problems;
        var reconnecting = 0;
        foreach (var status in statuses)
        {
            if (ReconnectFrom(status))
            {
                reconnecting++;
                _reconnecting.Add(new DomainUuid(status.Status!.Uuid));
            }
        }
        foreach (var entry in _state.Entries.ToList())
            SyncChild(entry.Uuid);
        _log.Info("Loaded {Count} domain configs from {Directory}; {Reconnecting} domains to reconnect", _state.Count, _store.Directory, reconnecting);
    }

    /// <summary>Marks the domain of one status file active again; its actor then adopts (or buries) the QEMU.</summary>
    private bool ReconnectFrom(StatusFileReadResult file)
    {
        if (file.Status is not { } status)
        {
            // Not ours to delete: a person may want to look at it.
            _log.Warning("Ignoring status file {Path}: {Reason}", file.Path, file.Error);
            return false;
        }
        try
        {
            var live = DomainXml.Parse(status.DomainXml);
            if ((status.DomainId ?? DomainRuntime.IdFromMonitorPath(status.MonitorPath)) is not { } id)
                throw new VirtException(ErrorCode.InternalError, $"monitor path {status.MonitorPath} names no domain id");
            var (state, reason) = StatusNames.Parse(status.State, status.Reason);
            if (_state.Reconnect(live, id, state, reason).Reply is ErrorReply error)
                throw new VirtException(error.Code, error.Message);
            return true;
        }
        catch (VirtException e)
        {
            _log.Error("Cannot reconnect domain {Domain} (pid {Pid}) from {Path}: {Reason}", status.Name, status.Pid, file.Path, e.Message);
            return false;
        }
    }

    /// <summary>Starts every autostart domain that is not running; each start is its own job, so one failure blocks none.</summary>
    private void Autostart()
    {
        foreach (var entry in _state.Entries.Where(e => e.Autostart && !e.Active).ToList())
        {
            _log.Info("Autostarting domain {Domain}", entry.Name);
            Self.Tell(new StartDomain(DomainRef.ByUuid(entry.Uuid)), ActorRefs.Nobody);
        }
    }

    private IDomainReply Define(DomainDefinition definition)
    {
        var uuid = new DomainUuid(definition.Uuid);
        var before = _state.Find(uuid);
        var outcome = _state.Define(definition);
        if (!outcome.Succeeded)
            return outcome.Reply;
        return PersistOrRevert(uuid, before, () => _store.Save(definition)) ?? Apply(outcome, uuid);
    }

    private IDomainReply Undefine(DomainRef domain, DomainUndefineFlags flags)
    {
        if (_state.Find(domain) is not { } before)
            return RegistryState.NotFound(domain).Reply;
        // As libvirt: a persistent UEFI guest's variable store is not dropped silently, nor kept without being asked.
        var nvram = before.Persistent ? before.Config.Os.Nvram?.Path : null;
        var hasNvram = nvram is not null && File.Exists(nvram);
        if (hasNvram && !flags.HasFlag(DomainUndefineFlags.Nvram) && !flags.HasFlag(DomainUndefineFlags.KeepNvram))
            return new ErrorReply(ErrorCode.OperationInvalid, $"cannot undefine domain with nvram ({nvram}): say whether to remove it (--nvram) or keep it (--keep-nvram)");
        var managedImage = _runtime.Settings.Paths.ManagedSavePath(before.Name.Value);
        var hasImage = before.Persistent && File.Exists(managedImage);
        if (hasImage && !flags.HasFlag(DomainUndefineFlags.ManagedSave))
            return new ErrorReply(ErrorCode.OperationInvalid, "Refusing to undefine while domain managed save image exists");
        var snapshots = before.Persistent ? Snapshots.Load(before.Name.Value).Count : 0;
        if (snapshots > 0 && !flags.HasFlag(DomainUndefineFlags.SnapshotsMetadata))
            return new ErrorReply(ErrorCode.OperationInvalid, $"cannot delete inactive domain with {snapshots} snapshots");
        var outcome = _state.Undefine(domain);
        if (!outcome.Succeeded)
            return outcome.Reply;
        if (PersistOrRevert(before.Uuid, before, () => _store.Delete(before.Definition.Name)) is { } failed)
            return failed;
        if (hasImage)
            RemoveManagedImage(before, managedImage);
        if (snapshots > 0)
            Snapshots.DeleteAll(before.Name.Value);
        if (hasNvram && flags.HasFlag(DomainUndefineFlags.Nvram))
        {
            try
            {
                File.Delete(nvram!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _log.Warning("Domain {Domain} undefined; its UEFI variable store {Path} could not be removed: {Reason}", before.Name, nvram, e.Message);
            }
        }
        RemoveTpmState(before, flags);
        return Apply(outcome, before.Uuid);
    }

    /// <summary>
    /// As libvirt: an emulated TPM's state goes with its domain, unless the definition keeps it (persistent_state) or
    /// the undefine asks to (--keep-tpm). A running guest's swtpm still holds it, so it stays until a later define.
    /// </summary>
    private void RemoveTpmState(DomainEntry before, DomainUndefineFlags flags)
    {
        var tpm = before.Config.Devices.Tpms.FirstOrDefault();
        var state = _runtime.Settings.Paths.TpmStateDir(before.Uuid.Value);
        if (flags.HasFlag(DomainUndefineFlags.KeepTpm) || (tpm?.PersistentState == true && !flags.HasFlag(DomainUndefineFlags.Tpm))
            || before.Active || !Directory.Exists(state))
            return;
        try
        {
            Directory.Delete(state, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("Domain {Domain} undefined; its TPM state {Path} could not be removed: {Reason}", before.Name, state, e.Message);
        }
    }

    private IDomainReply SetAutostart(DomainRef domain, bool enabled)
    {
        var before = _state.Find(domain);
        var outcome = _state.SetAutostart(domain, enabled);
        if (!outcome.Succeeded || before is null)
            return outcome.Reply;
        return PersistOrRevert(before.Uuid, before, () => _store.SetAutostart(before.Definition.Name, enabled)) ?? Apply(outcome, before.Uuid);
    }

    /// <summary>
    /// Writes what a change the registry state already took needs on disk; a failed write puts the entry back as it was
    /// (<paramref name="before"/>, or none) and is the reply, so memory never says what the disk does not.
    /// </summary>
    private ErrorReply? PersistOrRevert(DomainUuid uuid, DomainEntry? before, Action write)
    {
        try
        {
            write();
            return null;
        }
        catch (VirtException e)
        {
            _state.Revert(uuid, before);
            return ErrorReply.From(e);
        }
    }

    private void Create(CreateDomain m, AutodestroyOwner? owner = null)
    {
        var replyTo = Sender;
        WithHardware(m.Xml, replyTo, definition => Create(definition, m.Flags, replyTo, owner));
    }

    private void Create(DomainDefinition definition, DomainCreateFlags flags, IActorRef replyTo, AutodestroyOwner? owner)
    {
        var uuid = new DomainUuid(definition.Uuid);
        var outcome = _state.PrepareCreate(definition);
        if (!outcome.Succeeded)
        {
            replyTo.Tell(outcome.Reply);
            return;
        }
        Apply(outcome, uuid);
        BeginStart(uuid, flags, replyTo, owner);
    }

    private void StartExisting(StartDomain m, AutodestroyOwner? owner = null)
    {
        if (_state.Find(m.Domain) is not { } entry)
            Sender.Tell(RegistryState.NotFound(m.Domain).Reply);
        else if (entry.Active)
            Sender.Tell(new ErrorReply(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is already active"));
        else if (ManagedRestore(entry, m.Flags) is var (restore, problem) && problem is not null)
            Sender.Tell(problem);
        else
            BeginStart(entry.Uuid, m.Flags, Sender, owner, restore);
    }

    /// <summary>A start with autodestroy on behalf of a connection: the owner is recorded in the domain's status file.</summary>
    private void OwnedStart(Connections.OwnedStart m)
    {
        switch (m.Command)
        {
            case CreateDomain create:
                Create(create, m.Owner);
                break;
            case StartDomain start:
                StartExisting(start, m.Owner);
                break;
            default:
                Sender.Tell(new ErrorReply(ErrorCode.InternalError, $"{Procedures.Describe(m.Command)} cannot own a domain"));
                break;
        }
    }

    /// <summary>
    /// Gives the domain its id (the monitor socket is named by it) and hands the start to its actor. While the actor of
    /// an earlier incarnation of the same UUID (a transient domain that just stopped) is still stopping, the start waits
    /// for it instead of failing.
    /// </summary>
    private void BeginStart(DomainUuid uuid, DomainCreateFlags flags, IActorRef replyTo, AutodestroyOwner? owner, DomainActor.RestoreFrom? restore = null)
    {
        if (_state.Find(uuid) is not { } entry || ChildOf(entry) is not { } child)
        {
            if (_stopping.Contains(uuid))
            {
                _deferredStarts[uuid] = (flags, replyTo, owner, restore);
                return;
            }
            replyTo.Tell(new ErrorReply(ErrorCode.OperationFailed, $"domain {uuid} has no actor to run it"));
            Apply(_state.AbandonStart(uuid), uuid);
            return;
        }
        var outcome = _state.BeginStart(uuid);
        if (outcome.Reply is not DomainSummary { Id: { } id })
        {
            replyTo.Tell(outcome.Reply);
            return;
        }
        Apply(outcome, uuid);
        var incoming = TakeIncoming(uuid);
        // An incoming migration's QEMU is owned until it runs the guest: a daemon restarted meanwhile destroys it.
        var recordedOwner = incoming is not null ? IncomingOwner : flags.HasFlag(DomainCreateFlags.Autodestroy) ? owner?.ToString() : null;
        child.Tell(new DomainActor.Start(flags, replyTo, id, recordedOwner, restore) { IncomingUri = incoming });
    }

    /// <summary>An inactive domain's info is all in its entry; only a running one (CPU time) asks its actor.</summary>
    private void Info(GetDomainInfo m)
    {
        if (_state.Find(m.Domain) is { Active: false } entry)
            Sender.Tell(DomainActor.InactiveInfo(entry) with { HasManagedSave = HasManagedImage(entry) });
        else
            ForwardToDomain(m.Domain, m);
    }

    /// <summary>An inactive domain's XML is its entry's config; only a live one (its live definition) asks its actor.</summary>
    private void Xml(GetDomainXml m)
    {
        if (_state.Find(m.Domain) is { Active: false } entry)
            Sender.Tell(DomainActor.XmlOf(entry.Name, m.Inactive ? entry.Config : entry.Definition, id: null, m.Secure));
        else
            ForwardToDomain(m.Domain, m);
    }

    /// <summary>Runs <paramref name="then"/> on the domain's entry; answers libvirt's no-such-domain otherwise.</summary>
    private void WithDomain(DomainRef domain, Action<DomainEntry> then)
    {
        if (_state.Find(domain) is { } entry)
            then(entry);
        else
            Sender.Tell(RegistryState.NotFound(domain).Reply);
    }

    private void ForwardToDomain(DomainRef domain, object message)
    {
        if (_state.Find(domain) is { } entry && ChildOf(entry) is { } child)
            child.Forward(message);
        else
            Sender.Tell(RegistryState.NotFound(domain).Reply);
    }

    /// <summary>Publishes the outcome's events and brings the domain's child in line with its entry.</summary>
    private IDomainReply Apply(RegistryOutcome outcome, DomainUuid uuid)
    {
        if (outcome.Reply is ErrorReply error)
        {
            _log.Warning("Domain {Uuid}: {Error}", uuid, error);
            return error;
        }
        SyncChild(uuid);
        var id = _state.Find(uuid)?.Id;
        foreach (var evt in outcome.Events)
        {
            _log.Info("Domain {Domain} ({Uuid}): {Event}", evt.Name, evt.Uuid, evt.Display);
            Context.System.EventStream.Publish(evt with { Id = id });
        }
        return outcome.Reply;
    }

    /// <summary>
    /// Creates an active domain's child, updates or stops one; a shut-off domain's is made on first use (<see cref="ChildOf"/>).
    /// A name still held by a stopping child waits for Terminated.
    /// </summary>
    private void SyncChild(DomainUuid uuid)
    {
        var entry = _state.Find(uuid);
        if (entry is null)
        {
            if (_children.Remove(uuid, out var gone))
            {
                Context.Stop(gone);
                _stopping.Add(uuid);
            }
            return;
        }
        if (_children.TryGetValue(uuid, out var child))
            child.Tell(new DomainActor.EntryChanged(entry));
        else if (entry.Active && !_stopping.Contains(uuid))
            AddChild(entry);
    }

    /// <summary>
    /// The domain's actor, made now if it has none: an idle shut-off domain costs only its entry, since lookups, lists,
    /// dominfo and dumpxml of it are answered here. None while an earlier actor of the same UUID is stopping.
    /// </summary>
    private IActorRef? ChildOf(DomainEntry entry)
    {
        if (!_children.ContainsKey(entry.Uuid) && !_stopping.Contains(entry.Uuid))
            AddChild(entry);
        return Child(entry.Uuid);
    }

    /// <summary>The domain's actor; with <paramref name="attachReplyTo"/> it adopts an attached QEMU and answers there.</summary>
    private void AddChild(DomainEntry entry, IActorRef? attachReplyTo = null) =>
        _children[entry.Uuid] = Context.Watch(Context.ActorOf(DomainActor.Props(entry, _runtime, attachReplyTo), ChildName(entry.Uuid)));

    private void ReconnectEnded(DomainUuid uuid)
    {
        if (!_reconnecting.Remove(uuid) || _reconnecting.Count > 0)
            return;
        foreach (var waiter in _reconnectWaiters)
            waiter.Tell(ReconnectsSettled.Instance);
        _reconnectWaiters.Clear();
    }

    private void ChildTerminated(Terminated t)
    {
        if (!DomainUuid.TryParse(t.ActorRef.Path.Name, out var uuid))
            return;
        ReconnectEnded(uuid);
        if (!_stopping.Remove(uuid) && _children.GetValueOrDefault(uuid)?.Equals(t.ActorRef) == true)
            _children.Remove(uuid);
        SyncChild(uuid);
        if (_deferredStarts.Remove(uuid, out var deferred))
            BeginStart(uuid, deferred.Flags, deferred.ReplyTo, deferred.Owner, deferred.Restore);
    }

    private IActorRef? Child(DomainUuid uuid) => _children.GetValueOrDefault(uuid);

    private static string ChildName(DomainUuid uuid) => uuid.ToString();

    /// <summary>A define's or create's document: parsed, small enough to store, and naming no path it may not use.</summary>
    private bool TryParse(string xml, out DomainDefinition definition, out ErrorReply error)
    {
        try
        {
            definition = DomainXml.ParseToStore(xml);
            error = DevicePathPolicy.Check(definition, _runtime.Settings.Paths)!;
            return error is null;
        }
        catch (VirtException e)
        {
            definition = null!;
            error = ErrorReply.From(e);
            return false;
        }
    }
}
