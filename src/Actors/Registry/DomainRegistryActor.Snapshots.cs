using Akka.Actor;
using Virt.Actors.Config;
using Virt.Actors.Domains;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Storage;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSnapshots;

namespace Virt.Actors.Registry;

// Snapshots: the registry keeps their metadata (a tree, one current); the domain's actor runs savevm, loadvm and
// delvm while it runs, qemu-img does it on the files while it is shut off. Metadata changes only after QEMU's part worked.
public sealed partial class DomainRegistryActor
{
    /// <summary>QEMU's (or qemu-img's) part of a snapshot verb is done: now its metadata, then the answer.</summary>
    private sealed record SnapshotStep(Func<IDomainReply> Finish, IActorRef ReplyTo);

    private SnapshotStore? _snapshots;
    private SnapshotStore Snapshots => _snapshots ??= new SnapshotStore(_runtime.Settings.Paths);

    private static readonly TimeSpan SnapshotWait = TimeSpan.FromMinutes(5);

    private void ReceiveSnapshots()
    {
        Receive<CreateSnapshot>(m => WithDomain(m.Domain, entry => CreateSnapshot(entry, m)));
        Receive<ListSnapshots>(m => WithDomain(m.Domain, entry =>
            Sender.Tell(new SnapshotList([.. Snapshots.Load(entry.Name.Value).Select(Describe)]))));
        Receive<GetSnapshot>(m => WithDomain(m.Domain, entry =>
        {
            var all = Snapshots.Load(entry.Name.Value);
            var found = m.Name is null ? all.FirstOrDefault(s => s.Current) : all.FirstOrDefault(s => s.Name == m.Name);
            Sender.Tell(found is not null ? Describe(found) : NoSnapshot(m.Name is null ? "the domain has no current snapshot" : $"no domain snapshot with matching name '{m.Name}'"));
        }));
        Receive<RevertSnapshot>(m => WithDomain(m.Domain, entry => RevertSnapshot(entry, m)));
        Receive<DeleteSnapshot>(m => WithDomain(m.Domain, entry => DeleteSnapshot(entry, m)));
        Receive<SnapshotStep>(m =>
        {
            try
            {
                m.ReplyTo.Tell(m.Finish());
            }
            catch (VirtException e)
            {
                m.ReplyTo.Tell(ErrorReply.From(e));
            }
        });
    }

    private static SnapshotDescription Describe(SnapshotDefinition s) => new(s.Name, s.Parent, s.CreationTime, s.State, s.Current, s.Format(withActive: false), s.External);

    private static ErrorReply NoSnapshot(string message) => new(ErrorCode.NoDomainSnapshot, message);

    /// <summary>The images an internal snapshot covers: every writable disk, each of which must be qcow2.</summary>
    private static List<string> SnapshotImages(DomainDefinition d)
    {
        var images = new List<string>();
        foreach (var disk in d.Devices.Disks.Where(x => x.Device == DiskDeviceKind.Disk && !x.ReadOnly))
        {
            if (disk.DriverType != "qcow2" || disk.SourcePath is null)
                throw new VirtException(ErrorCode.ConfigUnsupported, $"internal snapshot for disk {disk.TargetDev} unsupported for storage type {disk.DriverType ?? "raw"}");
            images.Add(disk.SourcePath);
        }
        return images.Count > 0 ? images : throw new VirtException(ErrorCode.ConfigUnsupported, "internal snapshots need at least one writable qcow2 disk");
    }

    private void CreateSnapshot(DomainEntry entry, CreateSnapshot m)
    {
        try
        {
            var request = SnapshotRequest.Parse(m.Xml);
            RefuseUnsupported(request, m.Flags);
            var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var name = request.Name ?? created.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (SnapshotDefinition.NameProblem(name) is { } problem)
                throw new VirtException(ErrorCode.InvalidArg, problem);
            var metadata = !m.Flags.HasFlag(SnapshotCreateFlags.NoMetadata);
            var existing = Snapshots.Load(entry.Name.Value);
            if (metadata && existing.Any(s => s.Name == name))
                throw new VirtException(ErrorCode.OperationInvalid, $"domain snapshot '{name}' already exists");
            var current = metadata ? existing.FirstOrDefault(s => s.Current) : null;
            var snapshot = new SnapshotDefinition(name, request.Description, "shutoff", current?.Name, created, Current: metadata, "");
            if (m.Flags.HasFlag(SnapshotCreateFlags.DiskOnly))
            {
                CreateExternal(entry, request, snapshot, current, m.Flags);
                return;
            }
            // As libvirt: an internal snapshot takes every disk, and a running guest's memory with them.
            if (entry.Active && request.Memory == SnapshotLocation.No)
                throw new VirtException(ErrorCode.OperationUnsupported, "internal snapshot of a running VM must include the memory state");
            var live = entry.Definition;
            SnapshotDiskAlignment.Align(live, request.Disks, SnapshotLocation.Internal, name, FileProbe.IsRegularFile);
            var images = SnapshotImages(live);
            snapshot = snapshot with { State = entry.Active ? DomainStates.Name(entry.State) : "shutoff", DomainXml = DomainXml.Format(live, secure: true) };
            RunSnapshot(entry, $"savevm {name}", null, images, 'c', name, () => SaveCreated(entry, snapshot, current));
        }
        catch (VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
        }
    }

    /// <summary>libvirt's flag checks, and what Virt does not do: redefine, halt, quiesce (no guest agent), external memory.</summary>
    private static void RefuseUnsupported(SnapshotRequest request, SnapshotCreateFlags flags)
    {
        if (flags.HasFlag(SnapshotCreateFlags.Redefine))
            throw new VirtException(ErrorCode.OperationUnsupported, "snapshots redefined from XML are not supported");
        if (flags.HasFlag(SnapshotCreateFlags.Live))
            throw new VirtException(ErrorCode.OperationUnsupported, "live snapshot creation is supported only during full system snapshots");
        if (flags.HasFlag(SnapshotCreateFlags.Halt))
            throw new VirtException(ErrorCode.OperationUnsupported, "halting the domain after its snapshot is not supported; destroy it after");
        if (flags.HasFlag(SnapshotCreateFlags.Quiesce))
            throw new VirtException(ErrorCode.OperationUnsupported, "QEMU guest agent is not configured");
        if (request.Memory == SnapshotLocation.External)
            throw new VirtException(ErrorCode.OperationUnsupported, "external memory snapshots are not supported; take a disk-only snapshot (--disk-only) or an internal one");
        if (flags.HasFlag(SnapshotCreateFlags.DiskOnly) && request.Memory == SnapshotLocation.Internal)
            throw new VirtException(ErrorCode.XmlError, "XML error: memory state cannot be saved with offline or disk-only snapshot");
    }

    /// <summary>The new snapshot's metadata, now current (the old current no longer); nothing for one taken without metadata.</summary>
    private SnapshotDescription SaveCreated(DomainEntry entry, SnapshotDefinition snapshot, SnapshotDefinition? current)
    {
        if (snapshot.Current)
        {
            if (current is not null)
                Snapshots.Save(entry.Name.Value, current with { Current = false });
            Snapshots.Save(entry.Name.Value, snapshot);
        }
        return Describe(snapshot);
    }

    private void RevertSnapshot(DomainEntry entry, RevertSnapshot m)
    {
        if (FindSnapshot(entry, m.Name) is not var (all, target))
            return;
        if (target.External)
        {
            Sender.Tell(new ErrorReply(ErrorCode.ConfigUnsupported, "revert to external snapshot not supported yet"));
            return;
        }
        var withMemory = target.State != "shutoff";
        var run = m.Flags.HasFlag(SnapshotRevertFlags.Running) || (target.State == "running" && !m.Flags.HasFlag(SnapshotRevertFlags.Paused));
        IDomainReply Finish()
        {
            foreach (var s in all.Where(s => s.Current != (s.Name == m.Name)))
                Snapshots.Save(entry.Name.Value, s with { Current = s.Name == m.Name });
            return _state.Find(entry.Uuid)?.ToSummary() ?? entry.ToSummary();
        }
        if (entry.Active != withMemory)
            TryRunSnapshot(() => AfterSnapshotWork(RevertAcrossAsync(entry, m.Name, run), m.Name, Finish));
        else
            TryRunSnapshot(() => RunSnapshot(entry, $"loadvm {m.Name}", run, entry.Active ? [] : SnapshotImages(entry.Definition), 'a', m.Name, Finish));
    }

    private void DeleteSnapshot(DomainEntry entry, DeleteSnapshot m)
    {
        if (FindSnapshot(entry, m.Name) is not var (all, target))
            return;
        var metadataOnly = m.Flags.HasFlag(SnapshotDeleteFlags.MetadataOnly);
        try
        {
            if (!metadataOnly)
                SnapshotDeletion.Validate(target, all, m.Flags, entry.Active ? entry.Definition : null);
        }
        catch (VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return;
        }
        if (m.Flags.HasFlag(SnapshotDeleteFlags.Children) || m.Flags.HasFlag(SnapshotDeleteFlags.ChildrenOnly))
        {
            if (SnapshotDeletion.Descendants(target, all).Count > 0)
            {
                Sender.Tell(new ErrorReply(ErrorCode.OperationUnsupported, "deleting a snapshot's children with it is not supported; delete them one by one"));
                return;
            }
            // No children: --children is the snapshot alone, --children-only nothing at all, as in libvirt.
            if (m.Flags.HasFlag(SnapshotDeleteFlags.ChildrenOnly))
            {
                Sender.Tell(entry.ToSummary());
                return;
            }
        }
        IDomainReply Finish()
        {
            SaveDeleted(entry, target, []);
            return entry.ToSummary();
        }
        if (metadataOnly)
            Self.Tell(new SnapshotStep(Finish, Sender));
        else if (target.External)
            DeleteExternal(entry, target, all);
        else
            TryRunSnapshot(() => RunSnapshot(entry, $"delvm {m.Name}", null, entry.Active ? [] : SnapshotImages(entry.Definition), 'd', m.Name, Finish));
    }

    /// <summary>The others' metadata as it is after <paramref name="target"/> goes (read afresh: a delete may have taken long), then its own removed.</summary>
    private void SaveDeleted(DomainEntry entry, SnapshotDefinition target, IReadOnlyList<OverlayCommit> commits)
    {
        foreach (var changed in SnapshotDeletion.AfterDelete(target, Snapshots.Load(entry.Name.Value), commits))
            Snapshots.Save(entry.Name.Value, changed);
        Snapshots.Delete(entry.Name.Value, target.Name);
    }

    /// <summary>The domain's snapshots and the one named; null (answered with libvirt's error) when there is no such snapshot.</summary>
    private (IReadOnlyList<SnapshotDefinition> All, SnapshotDefinition Target)? FindSnapshot(DomainEntry entry, string name)
    {
        var all = Snapshots.Load(entry.Name.Value);
        if (all.FirstOrDefault(s => s.Name == name) is { } target)
            return (all, target);
        Sender.Tell(NoSnapshot($"no domain snapshot with matching name '{name}'"));
        return null;
    }

    /// <summary>RunSnapshot, with a refusal from its checks answered.</summary>
    private void TryRunSnapshot(Action run)
    {
        try
        {
            run();
        }
        catch (VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
        }
    }

    /// <summary>QEMU's part through the running domain's actor, or qemu-img's on the files of a shut-off one; then the metadata.</summary>
    private void RunSnapshot(DomainEntry entry, string hmp, bool? runAfter, IReadOnlyList<string> images, char imgAction, string name, Func<IDomainReply> finish)
    {
        Task<IDomainReply> work;
        if (entry.Active && Child(entry.Uuid) is { } child)
            work = child.Ask<IDomainReply>(new DomainActor.SnapshotJob(hmp, runAfter), SnapshotWait);
        else
            work = OnFilesAsync();
        async Task<IDomainReply> OnFilesAsync()
        {
            await QemuImg.SnapshotAsync(imgAction, name, images, CancellationToken.None).ConfigureAwait(false);
            return entry.ToSummary();
        }
        AfterSnapshotWork(work, name, finish);
    }

    /// <summary>The metadata step once the work succeeded; its error (a reply or an exception) answers otherwise.</summary>
    private void AfterSnapshotWork(Task<IDomainReply> work, string name, Func<IDomainReply> finish) => AfterSnapshotWork(work, name, _ => finish());

    /// <summary>As above, the metadata step given the work's own reply.</summary>
    private void AfterSnapshotWork(Task<IDomainReply> work, string name, Func<IDomainReply, IDomainReply> finish)
    {
        var replyTo = Sender;
        var self = Self;
        work.ContinueWith(done =>
        {
            if (done.IsCompletedSuccessfully && done.Result is not ErrorReply)
                self.Tell(new SnapshotStep(() => finish(done.Result), replyTo));
            else
                replyTo.Tell(done.IsCompletedSuccessfully ? done.Result
                    : done.Exception?.GetBaseException() is VirtException e ? ErrorReply.From(e)
                    : new ErrorReply(ErrorCode.OperationFailed, $"snapshot '{name}' failed: {done.Exception?.GetBaseException().Message ?? "cancelled"}"));
        }, TaskScheduler.Default);
    }

    /// <summary>
    /// A revert across running and shut off: a running domain goes back to a shut-off snapshot by being destroyed and
    /// its files reverted; a shut-off one to a running snapshot by a paused start, then loadvm. Each step is the
    /// registry's own command, asked of itself, so it goes through the same rules as a client's.
    /// </summary>
    private Task<IDomainReply> RevertAcrossAsync(DomainEntry entry, string name, bool run)
    {
        var self = Self;
        var domain = DomainRef.ByUuid(entry.Uuid);
        var images = SnapshotImages(entry.Config);
        var child = ChildOf(entry);
        return entry.Active ? ToShutOffAsync() : ToRunningAsync();

        async Task<IDomainReply> ToShutOffAsync()
        {
            if (await self.Ask<IDomainReply>(new DomainCommands.DestroyDomain(domain), SnapshotWait).ConfigureAwait(false) is ErrorReply refused)
                return refused;
            await QemuImg.SnapshotAsync('a', name, images, CancellationToken.None).ConfigureAwait(false);
            return entry.ToSummary();
        }

        async Task<IDomainReply> ToRunningAsync()
        {
            if (await self.Ask<IDomainReply>(new DomainCommands.StartDomain(domain, DomainCreateFlags.StartPaused), SnapshotWait).ConfigureAwait(false) is ErrorReply refused)
                return refused;
            return child is null
                ? new ErrorReply(ErrorCode.InternalError, $"domain '{entry.Name}' has no actor to load the snapshot into")
                : await child.Ask<IDomainReply>(new DomainActor.SnapshotJob($"loadvm {name}", run), SnapshotWait).ConfigureAwait(false);
        }
    }
}
