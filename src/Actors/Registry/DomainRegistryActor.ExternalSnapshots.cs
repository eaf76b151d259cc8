using Akka.Actor;
using Virt.Actors.Domains;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Storage;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Registry;

// External disk-only snapshots (--disk-only): each disk moves onto a new qcow2 overlay whose backing file is the image it
// ran on. A running domain's actor puts the overlays on through QMP; a shut-off domain's are made by qemu-img. Then the
// config names the overlays (saved before the snapshot's metadata: the overlays are what the domain uses from now on).
public sealed partial class DomainRegistryActor
{
    private void CreateExternal(DomainEntry entry, SnapshotRequest request, SnapshotDefinition snapshot, SnapshotDefinition? current, SnapshotCreateFlags flags)
    {
        var reuse = flags.HasFlag(SnapshotCreateFlags.ReuseExt);
        var uuid = entry.Uuid;
        if (entry.Active)
        {
            if (Child(uuid) is not { } child)
                throw new VirtException(ErrorCode.InternalError, $"domain '{entry.Name}' has no actor to take the snapshot");
            var work = child.Ask<IDomainReply>(new DomainActor.ExternalSnapshotJob(snapshot.Name, request.Disks, reuse), SnapshotWait);
            AfterSnapshotWork(work, snapshot.Name, reply =>
            {
                var taken = (DomainActor.ExternalSnapshotTaken)reply;
                var done = snapshot with { State = "disk-snapshot", DomainXml = DomainXml.Format(taken.Before, secure: true), Disks = taken.Disks };
                return FinishExternal(uuid, done, current, taken.Overlays, running: true);
            });
            return;
        }
        var config = entry.Config;
        var aligned = SnapshotDiskAlignment.Align(config, request.Disks, SnapshotLocation.External, snapshot.Name, FileProbe.IsRegularFile);
        var overlays = ExternalSnapshotPlan.Prepare(config, aligned, active: false, reuse, _runtime.Settings.Paths, FileProbe.Size);
        var made = snapshot with { DomainXml = DomainXml.Format(config, secure: true), Disks = ExternalSnapshotPlan.Recorded(aligned) };
        AfterSnapshotWork(CreateOverlaysAsync(overlays, reuse, entry.ToSummary()), snapshot.Name,
            _ => FinishExternal(uuid, made, current, overlays, running: false));
    }

    /// <summary>qemu-img create per disk, as libvirt for a shut-off domain; the files made are removed again when one fails.</summary>
    private static async Task<IDomainReply> CreateOverlaysAsync(IReadOnlyList<SnapshotOverlay> overlays, bool reuse, IDomainReply done)
    {
        if (reuse)
            return done;
        var created = new List<string>();
        try
        {
            foreach (var overlay in overlays)
            {
                var existed = File.Exists(overlay.Path);
                await QemuImg.CreateOverlayAsync(overlay.Path, overlay.Disk.SourcePath!, overlay.Disk.DriverType ?? "raw", CancellationToken.None).ConfigureAwait(false);
                if (!existed)
                    created.Add(overlay.Path);
            }
            return done;
        }
        catch (VirtException)
        {
            foreach (var file in created)
                File.Delete(file);
            throw;
        }
    }

    /// <summary>The definitions moved onto the overlays (the config written to disk), then the snapshot's metadata.</summary>
    private IDomainReply FinishExternal(DomainUuid uuid, SnapshotDefinition snapshot, SnapshotDefinition? current, IReadOnlyList<SnapshotOverlay> overlays, bool running)
    {
        if (_state.Find(uuid) is not { } before)
            return RegistryState.NotFound(DomainRef.ByUuid(uuid)).Reply;
        var config = ExternalSnapshotPlan.Apply(before.Config, overlays, running ? OverlayChain.Recorded : OverlayChain.Dropped);
        var live = running ? ExternalSnapshotPlan.Apply(before.Definition, overlays, OverlayChain.Complete) : null;
        var outcome = _state.ReplaceDisks(uuid, live, config);
        if (!outcome.Succeeded)
            return outcome.Reply;
        if (before.Persistent && PersistOrRevert(uuid, before, () => _store.Save(config)) is { } failed)
            return failed;
        Apply(outcome, uuid);
        return SaveCreated(before, snapshot, current);
    }
}
