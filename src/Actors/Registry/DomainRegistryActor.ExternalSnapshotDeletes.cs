using Akka.Actor;
using Virt.Actors.Domains;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Storage;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

// Deleting an external snapshot, as libvirt 9.0: each overlay it made is committed into the image under it and removed.
// A running domain's actor runs QEMU's block commits; a shut-off domain's files get qemu-img commit (libvirt starts QEMU
// paused for it instead). The older snapshots whose images take the data are marked while it runs; then the config and
// the metadata follow the disks that moved.
public sealed partial class DomainRegistryActor
{
    private void DeleteExternal(DomainEntry entry, SnapshotDefinition target, IReadOnlyList<SnapshotDefinition> all)
    {
        IReadOnlyList<OverlayCommit> commits;
        IActorRef? child = null;
        try
        {
            commits = ExternalSnapshotDeletion.Plan(target, all, entry.Active ? entry.Definition : entry.Config);
            if (entry.Active && (child = Child(entry.Uuid)) is null)
                throw new VirtException(ErrorCode.InternalError, $"domain '{entry.Name}' has no actor to delete the snapshot");
        }
        catch (VirtException e)
        {
            Sender.Tell(ErrorReply.From(e));
            return;
        }
        SaveAll(entry, ExternalSnapshotDeletion.Marked(all, commits, inProgress: true));
        var work = child is not null
            ? child.Ask<IDomainReply>(new DomainActor.ExternalSnapshotDeleteJob(commits), SnapshotWait)
            : CommitOfflineAsync(entry.Config, commits);
        AfterSnapshotWork(work, target.Name, reply => FinishExternalDelete(entry, target, commits, (DomainActor.ExternalSnapshotCommitted)reply));
    }

    /// <summary>The chains read with qemu-img, then the commits on the files.</summary>
    private static async Task<IDomainReply> CommitOfflineAsync(DomainDefinition config, IReadOnlyList<OverlayCommit> commits)
    {
        IReadOnlyList<CommitRequest> requests;
        try
        {
            var chains = new Dictionary<string, IReadOnlyList<ImageLayer>>(StringComparer.Ordinal);
            foreach (var top in ExternalSnapshotDeletion.Tops(commits, config))
                chains[top] = await ImageChains.ReadAsync(top, CancellationToken.None).ConfigureAwait(false);
            requests = ExternalSnapshotDeletion.Place(commits, config, chains);
        }
        catch (VirtException e)
        {
            return new DomainActor.ExternalSnapshotCommitted(null, CommitResult.Refused(e));
        }
        return new DomainActor.ExternalSnapshotCommitted(null, await OfflineCommits.RunAsync(requests, CancellationToken.None).ConfigureAwait(false));
    }

    /// <summary>
    /// The disks that got off their overlays move in the definitions (the config written to disk). All done: the snapshot's
    /// metadata goes. Otherwise it stays, and its base images keep their mark if a commit had written to them.
    /// </summary>
    private IDomainReply FinishExternalDelete(DomainEntry entry, SnapshotDefinition target, IReadOnlyList<OverlayCommit> commits, DomainActor.ExternalSnapshotCommitted committed)
    {
        var result = committed.Result;
        var done = commits.Where(c => result.Done.Contains(c.Disk)).ToList();
        if (done.Count > 0 && MoveDisks(entry.Uuid, committed.Live, done) is { } failed)
            return failed;
        if (result.Error is not { } error)
        {
            SaveDeleted(entry, target, commits);
            return _state.Find(entry.Uuid)?.ToSummary() ?? entry.ToSummary();
        }
        if (!result.BaseWritten)
            SaveAll(entry, ExternalSnapshotDeletion.Marked(Snapshots.Load(entry.Name.Value), commits, inProgress: false));
        var moved = done.Count == 0 ? ""
            : $"; disk {string.Join(", ", done.Select(c => c.Disk))} was committed and left its overlay, the others stay on theirs";
        return new ErrorReply(error.Code, error.Message + moved);
    }

    /// <summary>The registry's definitions after the commits: the actor's live one, the config off the overlays (saved).</summary>
    private IDomainReply? MoveDisks(DomainUuid uuid, DomainDefinition? live, IReadOnlyList<OverlayCommit> done)
    {
        if (_state.Find(uuid) is not { } before)
            return RegistryState.NotFound(DomainRef.ByUuid(uuid)).Reply;
        var config = ExternalSnapshotDeletion.Apply(before.Config, done);
        var outcome = _state.ReplaceDisks(uuid, before.Active ? live : null, config);
        if (!outcome.Succeeded)
            return outcome.Reply;
        if (before.Persistent && PersistOrRevert(uuid, before, () => _store.Save(config)) is { } failed)
            return failed;
        Apply(outcome, uuid);
        return null;
    }

    private void SaveAll(DomainEntry entry, IReadOnlyList<SnapshotDefinition> snapshots)
    {
        foreach (var snapshot in snapshots)
            Snapshots.Save(entry.Name.Value, snapshot);
    }
}
