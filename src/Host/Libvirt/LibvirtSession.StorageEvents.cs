using Virt.Actors.Storage;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Host.Libvirt;

// Storage pool events (368/369): lifecycle (370) and refresh (373) of any pool, whichever connection changed it.
// cockpit-machines counts an active pool only once the refresh event of its STORAGE_POOL_REFRESH arrives.
internal sealed partial class LibvirtSession
{
    private const int PoolEventLifecycle = 0;
    private const int PoolEventRefresh = 1;
    private const int PoolEventIdLast = 2;

    private readonly ObjectEventCallbacks _poolCallbacks = new("storage pool", PoolEventIdLast);
    private Action<StoragePoolChange>? _poolListener;

    /// <summary>A pool filter is only a handle to libvirtd (it is not looked up): events of that UUID reach it.</summary>
    private Task<XdrWriter?> RegisterPoolCallback(XdrReader args)
    {
        var eventId = args.Int("eventID");
        var pool = RemotePool.ReadOptional(args);
        args.End("storage pool event register any");
        _ = Connection;
        var id = _poolCallbacks.Register(eventId, pool?.Uuid);
        lock (_poolCallbacks)
        {
            if (_poolListener is null)
            {
                _poolListener = Deliver;
                Pools.Changed += _poolListener;
            }
        }
        return Done(new XdrWriter().Int(id));
    }

    private Task<XdrWriter?> DeregisterPoolCallback(XdrReader args)
    {
        var id = args.Int("callbackID");
        args.End("storage pool event deregister any");
        _ = Connection;
        _poolCallbacks.Deregister(id);
        if (!_poolCallbacks.Any)
            StopPoolEvents();
        return Done();
    }

    private void StopPoolEvents()
    {
        lock (_poolCallbacks)
        {
            if (_poolListener is not null)
                Pools.Changed -= _poolListener;
            _poolListener = null;
        }
    }

    private void Deliver(StoragePoolChange change)
    {
        var refresh = change.Kind == StoragePoolChangeKind.Refreshed;
        foreach (var callback in _poolCallbacks.Matching(refresh ? PoolEventRefresh : PoolEventLifecycle, change.Uuid))
        {
            var body = new XdrWriter().Int(callback);
            new RemotePool(change.Name, change.Uuid).Write(body);
            if (!refresh)
                body.Int((int)change.Kind).Int(0);
            if (!output.TryPush(Message(refresh ? RemoteProcedures.StoragePoolEventRefresh : RemoteProcedures.StoragePoolEventLifecycle, body)))
                return;
        }
    }
}
