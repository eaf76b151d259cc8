using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Cluster;

// The directory hears every domain this node holds, every few seconds and after a define or undefine.
public sealed partial class ClusterFrontActor
{
    /// <summary>Tells the directory every domain this node holds; one sync at a time, the next one right after if asked meanwhile.</summary>
    private void Sync()
    {
        if (_syncing)
        {
            _syncAgain = true;
            return;
        }
        _syncing = true;
        _local.Ask<IDomainReply>(new ListDomains(), _settings.AskTimeout).PipeTo(Self,
            success: reply => reply is DomainList list ? new LocalDomains(list.Domains) : new SyncFinished(null, "the registry did not list"),
            failure: e => new SyncFinished(null, e.Message));
    }

    private void SendSync(LocalDomains local)
    {
        var held = local.Domains.Where(d => !_moving.Contains(d.Name.Value)).Select(d => new HeldName(d.Name.Value, d.Uuid.ToString())).ToList();
        _directory.Ask<NamesSynced>(new SyncNames(Self_, held), _settings.AskTimeout).PipeTo(Self,
            success: synced => new SyncFinished(synced, null), failure: e => new SyncFinished(null, e.Message));
    }

    private void Synced(SyncFinished done)
    {
        _syncing = false;
        if (done.Failure is { } failure)
            _log.Debug("Cluster name sync did not complete: {Reason}", failure);
        foreach (var clash in done.Synced?.Clashes ?? [])
            if (_reportedClashes.Add($"{clash.Name}|{clash.Uuid}"))
                _log.Error("Domain '{Name}' ({Uuid}) of this node clashes with node {Holder}, which holds its name or UUID in the cluster: "
                    + "it is left as it is; undefine or rename one of them", clash.Name, clash.Uuid, clash.Holder);
        if (_syncAgain)
        {
            _syncAgain = false;
            Sync();
        }
    }
}
