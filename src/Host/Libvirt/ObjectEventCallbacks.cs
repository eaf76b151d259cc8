using Virt.Protocol.Libvirt;

namespace Virt.Host.Libvirt;

/// <summary>
/// One connection's event callbacks for one kind of object (storage pool, network, node device), as libvirtd keeps
/// them per client: an id per registration, an event id and an optional object to filter on; its own errors.
/// </summary>
internal sealed class ObjectEventCallbacks(string kind, int lastEventId)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, (int EventId, Guid? Object)> _callbacks = [];
    private int _nextId;

    public bool Any
    {
        get
        {
            lock (_lock)
                return _callbacks.Count > 0;
        }
    }

    public int Register(int eventId, Guid? filter)
    {
        if (eventId < 0 || eventId >= lastEventId)
            throw new LibvirtFault(new LibvirtError(LibvirtError.InternalError, LibvirtError.FromRpc, $"internal error: unsupported {kind} event ID {eventId}"));
        lock (_lock)
        {
            var id = _nextId++;
            _callbacks[id] = (eventId, filter);
            return id;
        }
    }

    public void Deregister(int id)
    {
        lock (_lock)
        {
            if (!_callbacks.Remove(id))
                throw new LibvirtFault(new LibvirtError(LibvirtError.InternalError, LibvirtError.FromRpc, $"internal error: {kind} event callback {id} not registered"));
        }
    }

    /// <summary>The callbacks an event of this id on this object goes to.</summary>
    public List<int> Matching(int eventId, Guid uuid)
    {
        lock (_lock)
            return [.. _callbacks.Where(c => c.Value.EventId == eventId && (c.Value.Object is null || c.Value.Object == uuid)).Select(c => c.Key)];
    }

    public void Clear()
    {
        lock (_lock)
            _callbacks.Clear();
    }
}
