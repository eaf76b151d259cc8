using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

/// <summary>
/// The registry's rules with no actors and no I/O: name and UUID uniqueness, persistent versus transient,
/// ids, states, list filters. Every change returns the reply and the lifecycle events libvirt would emit.
/// </summary>
public sealed class RegistryState
{
    private readonly Dictionary<DomainUuid, DomainEntry> _byUuid = [];
    private readonly Dictionary<string, DomainUuid> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, DomainUuid> _byId = [];
    private int _nextId = 1;
    private DomainEntry[]? _sorted;
    private DomainList? _all;

    public int Count => _byUuid.Count;

    public IEnumerable<DomainEntry> Entries => _byUuid.Values;

    /// <summary>Adds a config found on disk at start; no event, as libvirt sends none for loaded configs.</summary>
    public RegistryOutcome Load(DomainDefinition definition, bool autostart)
    {
        if (Clash(definition) is { } clash)
            return clash;
        var entry = new DomainEntry
        {
            Definition = definition,
            Persistent = true,
            Autostart = autostart,
            State = DomainState.Shutoff,
            Reason = (int)ShutoffReason.Unknown,
        };
        Put(entry);
        return RegistryOutcome.Of(entry.ToSummary());
    }

    /// <summary>virsh define: a new persistent domain, or a new config for an existing one.</summary>
    public RegistryOutcome Define(DomainDefinition definition)
    {
        if (NameProblem(definition) is { } bad)
            return bad;
        var uuid = new DomainUuid(definition.Uuid);
        if (!_byUuid.TryGetValue(uuid, out var existing))
        {
            if (Clash(definition) is { } clash)
                return clash;
            var added = new DomainEntry
            {
                Definition = definition,
                Persistent = true,
                State = DomainState.Shutoff,
                Reason = (int)ShutoffReason.Unknown,
            };
            Put(added);
            return RegistryOutcome.Of(added.ToSummary(), DomainLifecycleEvent.Defined(added.Name, uuid, DefinedDetail.Added));
        }
        if (existing.Definition.Name != definition.Name)
            return AlreadyDefinedWithUuid(existing);

        // A running domain keeps its live definition; the new config applies at its next start.
        var updated = existing.Active
            ? existing with { NextDefinition = definition, Persistent = true }
            : existing with { Definition = definition, NextDefinition = null, Persistent = true };
        Put(updated);
        var detail = existing.Persistent ? DefinedDetail.Updated : DefinedDetail.Added;
        return RegistryOutcome.Of(updated.ToSummary(), DomainLifecycleEvent.Defined(updated.Name, uuid, detail));
    }

    /// <summary>virsh undefine: an inactive domain disappears; an active one becomes transient.</summary>
    public RegistryOutcome Undefine(DomainRef domain)
    {
        if (Find(domain) is not { } entry)
            return NotFound(domain);
        if (!entry.Persistent)
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"cannot undefine transient domain '{entry.Name}'");
        var evt = DomainLifecycleEvent.Undefined(entry.Name, entry.Uuid, UndefinedDetail.Removed);
        if (entry.Active)
        {
            var transient = entry with { Persistent = false, Autostart = false, NextDefinition = null };
            Put(transient);
            return RegistryOutcome.Of(transient.ToSummary(), evt);
        }
        Remove(entry);
        return RegistryOutcome.Of(entry.ToSummary() with { Persistent = false, Autostart = false }, evt);
    }

    /// <summary>
    /// virsh create, before the process starts: a new transient domain, or an inactive persistent one
    /// (same name and UUID) that will run this definition while keeping its config for later.
    /// </summary>
    public RegistryOutcome PrepareCreate(DomainDefinition definition)
    {
        if (NameProblem(definition) is { } bad)
            return bad;
        var uuid = new DomainUuid(definition.Uuid);
        if (_byUuid.TryGetValue(uuid, out var existing))
        {
            if (existing.Definition.Name != definition.Name)
                return AlreadyDefinedWithUuid(existing);
            if (existing.Active)
                return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"domain '{existing.Name}' is already active");
            var live = existing with { Definition = definition, NextDefinition = existing.Definition };
            Put(live);
            return RegistryOutcome.Of(live.ToSummary());
        }
        if (Clash(definition) is { } clash)
            return clash;
        var created = new DomainEntry
        {
            Definition = definition,
            Persistent = false,
            State = DomainState.Shutoff,
            Reason = (int)ShutoffReason.Unknown,
        };
        Put(created);
        return RegistryOutcome.Of(created.ToSummary());
    }

    /// <summary>
    /// A start is accepted: the domain takes the next id (its monitor socket is named by it) and shows
    /// paused (starting up) until its process runs, as libvirt does.
    /// </summary>
    public RegistryOutcome BeginStart(DomainUuid uuid)
    {
        if (!_byUuid.TryGetValue(uuid, out var entry))
            return NotFound(DomainRef.ByUuid(uuid));
        if (entry.Active)
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is already active");
        var starting = entry with { Id = _nextId++, State = DomainState.Paused, Reason = (int)PausedReason.StartingUp };
        Put(starting);
        return RegistryOutcome.Of(starting.ToSummary());
    }

    /// <summary>The domain's process is up: state running (booted), or paused (user) when started paused.</summary>
    public RegistryOutcome MarkStarted(DomainUuid uuid, StartedDetail detail = StartedDetail.Booted, bool paused = false,
        SuspendedDetail pausedDetail = SuspendedDetail.Paused)
    {
        if (!_byUuid.TryGetValue(uuid, out var entry))
            return NotFound(DomainRef.ByUuid(uuid));
        if (!entry.Active && BeginStart(uuid) is { Succeeded: false } refused)
            return refused;
        entry = _byUuid[uuid];
        if (entry is not { State: DomainState.Paused, Reason: (int)PausedReason.StartingUp })
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is already active");
        if (detail == StartedDetail.Migrated)
        {
            // An incoming migration: paused (migrating) until the stream is in; libvirt reports the start alone.
            var incoming = entry with { State = DomainState.Paused, Reason = (int)PausedReason.Migration };
            Put(incoming);
            return RegistryOutcome.Of(incoming.ToSummary(), DomainLifecycleEvent.Started(incoming.Name, uuid, detail));
        }
        var started = entry with
        {
            State = paused ? DomainState.Paused : DomainState.Running,
            Reason = paused ? (int)PausedReason.User : (int)RunningReasonFor(detail),
        };
        Put(started);
        // libvirt 9.0's order: the vCPUs' RESUME is reported before the start itself; a paused start reports the pause after.
        // A restore starts the vCPUs after its STARTED RESTORED, so its RESUMED comes after it.
        var events = paused
            ? new List<DomainLifecycleEvent> { DomainLifecycleEvent.Started(started.Name, uuid, detail), DomainLifecycleEvent.Suspended(started.Name, uuid, pausedDetail) }
            : detail == StartedDetail.Restored
                ? [DomainLifecycleEvent.Started(started.Name, uuid, detail), DomainLifecycleEvent.Resumed(started.Name, uuid, ResumedDetail.Unpaused)]
                : [DomainLifecycleEvent.Resumed(started.Name, uuid, ResumedDetail.Unpaused), DomainLifecycleEvent.Started(started.Name, uuid, detail)];
        return new RegistryOutcome(started.ToSummary(), events);
    }

    /// <summary>An active domain changed state (paused, resumed, shutting down...): records it with the event, if any.</summary>
    public RegistryOutcome Record(DomainUuid uuid, DomainState state, int reason, DomainLifecycleEvent? evt)
    {
        if (!_byUuid.TryGetValue(uuid, out var entry))
            return NotFound(DomainRef.ByUuid(uuid));
        if (!entry.Active || !DomainStates.IsActive(state))
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is not running");
        var changed = entry with { State = state, Reason = reason };
        Put(changed);
        return evt is null ? RegistryOutcome.Of(changed.ToSummary()) : RegistryOutcome.Of(changed.ToSummary(), evt);
    }

    /// <summary>
    /// A QEMU found running at start (its status file): the domain is active again with its old id, the live
    /// definition from the status file, and the config from disk (if any) for its next start. No event.
    /// </summary>
    public RegistryOutcome Reconnect(DomainDefinition live, int id, DomainState state, int reason)
    {
        var uuid = new DomainUuid(live.Uuid);
        if (_byId.TryGetValue(id, out var holder) && holder != uuid)
            return RegistryOutcome.Fail(ErrorCode.InternalError, $"domain id {id} is already taken by {holder}");
        DomainEntry entry;
        if (_byUuid.TryGetValue(uuid, out var existing))
        {
            if (existing.Definition.Name != live.Name)
                return AlreadyDefinedWithUuid(existing);
            entry = existing with { Definition = live, NextDefinition = existing.Config, Id = id, State = state, Reason = reason };
        }
        else
        {
            if (Clash(live) is { } clash)
                return clash;
            entry = new DomainEntry { Definition = live, Persistent = false, Id = id, State = state, Reason = reason };
        }
        Put(entry);
        _nextId = Math.Max(_nextId, id + 1);
        return RegistryOutcome.Of(entry.ToSummary());
    }

    /// <summary>
    /// virsh qemu-attach: a QEMU started outside Virt becomes a transient domain with the next id, in the state
    /// found (running or paused, reason unknown). Name and UUID must be free, as for define. No event, as in libvirt.
    /// </summary>
    public RegistryOutcome Attach(DomainDefinition definition, DomainState state, int reason)
    {
        if (!DomainStates.IsActive(state))
            return RegistryOutcome.Fail(ErrorCode.InternalError, $"an attached domain cannot be {state}");
        if (Clash(definition) is { } clash)
            return clash;
        var entry = new DomainEntry { Definition = definition, Persistent = false, Id = _nextId++, State = state, Reason = reason };
        Put(entry);
        return RegistryOutcome.Of(entry.ToSummary());
    }

    /// <summary>An attach whose adoption failed: the transient domain goes without an event, as it never was announced.</summary>
    public RegistryOutcome AbandonAttach(DomainUuid uuid)
    {
        if (!_byUuid.TryGetValue(uuid, out var entry))
            return NotFound(DomainRef.ByUuid(uuid));
        if (entry.Persistent || !entry.Active)
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is not an attach in progress");
        Remove(entry);
        return RegistryOutcome.Of(entry.ToSummary());
    }

    /// <summary>
    /// The domain's process is gone: state shut off with the reason; a transient domain disappears,
    /// a persistent one takes the config defined while it ran.
    /// </summary>
    /// <param name="detail">The event's detail when it is not the reason's own: a QEMU that died is shut off (crashed) with Stopped Failed.</param>
    public RegistryOutcome MarkStopped(DomainUuid uuid, ShutoffReason reason, StoppedDetail? detail = null)
    {
        if (!_byUuid.TryGetValue(uuid, out var entry))
            return NotFound(DomainRef.ByUuid(uuid));
        if (!entry.Active)
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is not running");
        var evt = DomainLifecycleEvent.Stopped(entry.Name, uuid, detail ?? StoppedDetailFor(reason));
        var stopped = entry with
        {
            Definition = entry.Config,
            NextDefinition = null,
            Id = null,
            State = DomainState.Shutoff,
            Reason = (int)reason,
        };
        if (entry.Persistent)
            Put(stopped);
        else
            Remove(entry);
        return RegistryOutcome.Of(stopped.ToSummary(), evt);
    }

    /// <summary>
    /// A start that never got a process: its id is released; transient domains vanish, persistent ones
    /// show shut off (failed).
    /// </summary>
    public RegistryOutcome AbandonStart(DomainUuid uuid)
    {
        if (!_byUuid.TryGetValue(uuid, out var entry))
            return NotFound(DomainRef.ByUuid(uuid));
        if (entry.Active && entry is not { State: DomainState.Paused, Reason: (int)PausedReason.StartingUp })
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"domain '{entry.Name}' is running");
        if (!entry.Persistent)
        {
            Remove(entry);
            return RegistryOutcome.Of(entry.ToSummary());
        }
        var restored = entry with
        {
            Definition = entry.Config,
            NextDefinition = null,
            Id = null,
            State = DomainState.Shutoff,
            Reason = (int)ShutoffReason.Failed,
        };
        Put(restored);
        return RegistryOutcome.Of(restored.ToSummary());
    }

    /// <summary>
    /// After an external snapshot: a running domain's live definition and its config (if persistent) name the overlays;
    /// a shut-off one's config does. No event, as libvirt sends none.
    /// </summary>
    public RegistryOutcome ReplaceDisks(DomainUuid uuid, DomainDefinition? live, DomainDefinition config)
    {
        if (!_byUuid.TryGetValue(uuid, out var entry))
            return NotFound(DomainRef.ByUuid(uuid));
        var changed = entry.Active
            ? entry with { Definition = live ?? entry.Definition, NextDefinition = entry.Persistent ? config : null }
            : entry with { Definition = config, NextDefinition = null };
        Put(changed);
        return RegistryOutcome.Of(changed.ToSummary());
    }

    /// <summary>virsh autostart: only persistent domains may autostart.</summary>
    public RegistryOutcome SetAutostart(DomainRef domain, bool enabled)
    {
        if (Find(domain) is not { } entry)
            return NotFound(domain);
        if (!entry.Persistent)
            return RegistryOutcome.Fail(ErrorCode.OperationInvalid, $"cannot set autostart for transient domain '{entry.Name}'");
        var changed = entry with { Autostart = enabled };
        Put(changed);
        return RegistryOutcome.Of(changed.ToSummary());
    }

    public RegistryOutcome Lookup(DomainRef domain) =>
        Find(domain) is { } entry ? RegistryOutcome.Of(entry.ToSummary()) : NotFound(domain);

    /// <summary>virsh list order: active domains by id, then inactive ones by name.</summary>
    /// <remarks>The sorted list is kept until the next change, so listing thousands of domains is a filter pass at most.</remarks>
    public DomainList List(ListDomainsFlags filter)
    {
        var sorted = _sorted ??= SortedEntries();
        var all = _all ??= new DomainList(Array.ConvertAll(sorted, e => e.ToSummary()));
        if (filter == ListDomainsFlags.All)
            return all;
        var matching = new List<DomainSummary>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (Matches(sorted[i], filter))
                matching.Add(all.Domains[i]);
        }
        return new DomainList(matching);
    }

    private DomainEntry[] SortedEntries() =>
        _byUuid.Values
            .OrderBy(e => e.Id is null)
            .ThenBy(e => e.Id)
            .ThenBy(e => e.Definition.Name, StringComparer.Ordinal)
            .ToArray();

    /// <remarks>
    /// As virsh resolves what a user typed: an id or a UUID that matches nothing is tried as a name, so a domain named
    /// "123" is found by "123" when no running domain has id 123 (a running one with that id wins, as in virsh).
    /// </remarks>
    public DomainEntry? Find(DomainRef domain)
    {
        if (domain.Uuid is { } uuid)
            return _byUuid.GetValueOrDefault(uuid) ?? ByName(uuid.ToString());
        if (domain.Name is { } name)
            return ByName(name.Value);
        if (domain.Id is { } id)
            return _byId.TryGetValue(id, out var byId) ? _byUuid[byId] : ByName(id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return null;
    }

    private DomainEntry? ByName(string name) => _byName.TryGetValue(name, out var byName) ? _byUuid[byName] : null;

    public DomainEntry? Find(DomainUuid uuid) => _byUuid.GetValueOrDefault(uuid);

    /// <summary>Puts back what <see cref="Find(DomainUuid)"/> returned before a change whose write to disk failed.</summary>
    public void Revert(DomainUuid uuid, DomainEntry? previous)
    {
        if (_byUuid.TryGetValue(uuid, out var current))
            Remove(current);
        if (previous is not null)
            Put(previous);
    }

    public static RegistryOutcome NotFound(DomainRef domain) =>
        RegistryOutcome.Fail(ErrorCode.NoDomain, domain switch
        {
            { Name: { } n } => $"Domain not found: no domain with matching name '{n}'",
            { Uuid: { } u } => $"Domain not found: no domain with matching uuid or name '{u}'",
            { Id: { } id } => $"Domain not found: no domain with matching id or name '{id}'",
            _ => "Domain not found: no domain given",
        });

    private static bool Matches(DomainEntry e, ListDomainsFlags f)
    {
        static bool Group(ListDomainsFlags f, ListDomainsFlags mask, Func<ListDomainsFlags, bool> has) =>
            (f & mask) == 0 || has(f & mask);

        var stateFlag = e.State switch
        {
            DomainState.Running => ListDomainsFlags.Running,
            DomainState.Paused => ListDomainsFlags.Paused,
            DomainState.Shutoff => ListDomainsFlags.Shutoff,
            _ => ListDomainsFlags.Other,
        };
        const ListDomainsFlags states = ListDomainsFlags.Running | ListDomainsFlags.Paused | ListDomainsFlags.Shutoff | ListDomainsFlags.Other;
        return Group(f, ListDomainsFlags.Active | ListDomainsFlags.Inactive,
                   g => g.HasFlag(e.Active ? ListDomainsFlags.Active : ListDomainsFlags.Inactive))
            && Group(f, ListDomainsFlags.Persistent | ListDomainsFlags.Transient,
                   g => g.HasFlag(e.Persistent ? ListDomainsFlags.Persistent : ListDomainsFlags.Transient))
            && Group(f, states, g => g.HasFlag(stateFlag))
            && Group(f, ListDomainsFlags.Autostart | ListDomainsFlags.NoAutostart,
                   g => g.HasFlag(e.Autostart ? ListDomainsFlags.Autostart : ListDomainsFlags.NoAutostart))
            // No managed save, snapshots or checkpoints exist yet: every domain is in the "no" half.
            && Group(f, ListDomainsFlags.ManagedSave | ListDomainsFlags.NoManagedSave, g => g.HasFlag(ListDomainsFlags.NoManagedSave))
            && Group(f, ListDomainsFlags.HasSnapshot | ListDomainsFlags.NoSnapshot, g => g.HasFlag(ListDomainsFlags.NoSnapshot))
            && Group(f, ListDomainsFlags.HasCheckpoint | ListDomainsFlags.NoCheckpoint, g => g.HasFlag(ListDomainsFlags.NoCheckpoint));
    }

    private RegistryOutcome? Clash(DomainDefinition definition)
    {
        if (NameProblem(definition) is { } bad)
            return bad;
        if (_byUuid.TryGetValue(new DomainUuid(definition.Uuid), out var sameUuid))
            return AlreadyDefinedWithUuid(sameUuid);
        if (_byName.TryGetValue(definition.Name, out var holder))
            return RegistryOutcome.Fail(ErrorCode.DomainExists,
                $"domain '{definition.Name}' already exists with uuid {holder}");
        return null;
    }

    private static RegistryOutcome? NameProblem(DomainDefinition definition) =>
        DomainName.Problem(definition.Name) is { } problem ? RegistryOutcome.Fail(ErrorCode.XmlError, problem) : null;

    private static RegistryOutcome AlreadyDefinedWithUuid(DomainEntry holder) =>
        RegistryOutcome.Fail(ErrorCode.DomainExists, $"domain '{holder.Name}' is already defined with uuid {holder.Uuid}");

    private void Put(DomainEntry entry)
    {
        (_sorted, _all) = (null, null);
        if (_byUuid.TryGetValue(entry.Uuid, out var old) && old.Id is { } oldId && oldId != entry.Id)
            _byId.Remove(oldId);
        _byUuid[entry.Uuid] = entry;
        _byName[entry.Definition.Name] = entry.Uuid;
        if (entry.Id is { } id)
            _byId[id] = entry.Uuid;
    }

    private void Remove(DomainEntry entry)
    {
        (_sorted, _all) = (null, null);
        _byUuid.Remove(entry.Uuid);
        _byName.Remove(entry.Definition.Name);
        if (entry.Id is { } id)
            _byId.Remove(id);
    }

    private static RunningReason RunningReasonFor(StartedDetail detail) => detail switch
    {
        StartedDetail.Booted => RunningReason.Booted,
        StartedDetail.Migrated => RunningReason.Migrated,
        StartedDetail.Restored => RunningReason.Restored,
        StartedDetail.FromSnapshot => RunningReason.FromSnapshot,
        StartedDetail.Wakeup => RunningReason.Wakeup,
        _ => RunningReason.Unknown,
    };

    private static StoppedDetail StoppedDetailFor(ShutoffReason reason) => reason switch
    {
        ShutoffReason.Shutdown => StoppedDetail.Shutdown,
        ShutoffReason.Destroyed => StoppedDetail.Destroyed,
        ShutoffReason.Crashed => StoppedDetail.Crashed,
        ShutoffReason.Migrated => StoppedDetail.Migrated,
        ShutoffReason.Saved => StoppedDetail.Saved,
        ShutoffReason.FromSnapshot => StoppedDetail.FromSnapshot,
        _ => StoppedDetail.Failed,
    };
}
