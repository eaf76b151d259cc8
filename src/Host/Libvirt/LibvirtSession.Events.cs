using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using EventSubscription = Virt.Protocol.Client.EventSubscription;

namespace Virt.Host.Libvirt;

// Event callbacks: the callback registrations of libvirt 1.3+ (316/317, events 318) and the legacy ones (105/106 and
// 167/168, events 107). Registrations are this connection's; the connection hears every domain's events only while
// one is registered, and filters them here.
internal sealed partial class LibvirtSession
{
    private readonly Lock _events = new();
    private readonly Dictionary<int, (int EventId, Guid? Domain)> _callbacks = [];
    private readonly HashSet<int> _legacyEventIds = [];
    private int _nextCallbackId;
    private bool _subscribed;

    /// <summary>Hands the connection's lifecycle events to the session; false once the client is gone.</summary>
    private sealed class EventSink(LibvirtSession session) : Actors.Connections.IEventSink
    {
        public bool TryPush(DomainLifecycleEvent e) => session.Deliver(e);

        public bool TryPush(DomainRebootEvent e) => session.Deliver(e);

        public bool TryPush(DomainDeviceEvent e) => session.Deliver(e);
    }

    private async Task<XdrWriter?> RegisterCallbackAsync(XdrReader args, CancellationToken ct)
    {
        var eventId = args.Int("eventID");
        var dom = RemoteDomain.ReadOptional(args);
        args.End("register callback");
        CheckEventId(eventId);
        int id;
        lock (_events)
        {
            id = _nextCallbackId++;
            _callbacks[id] = (eventId, dom?.Uuid);
        }
        await SyncSubscriptionAsync(ct).ConfigureAwait(false);
        return new XdrWriter().Int(id);
    }

    private async Task<XdrWriter?> DeregisterCallbackAsync(XdrReader args, CancellationToken ct)
    {
        var id = args.Int("callbackID");
        args.End("deregister callback");
        lock (_events)
        {
            if (!_callbacks.Remove(id))
                throw new LibvirtFault(LibvirtError.InvalidArgument($"callback {id} is not registered"));
        }
        await SyncSubscriptionAsync(ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>virConnectDomainEventRegister: lifecycle events of every domain, as message 107.</summary>
    private async Task<XdrWriter?> RegisterLegacyLifecycleAsync(XdrReader args, CancellationToken ct)
    {
        args.End("register lifecycle");
        lock (_events)
            _legacyEventIds.Add(DomainEventId.Lifecycle);
        await SyncSubscriptionAsync(ct).ConfigureAwait(false);
        return new XdrWriter().Int(1);
    }

    private async Task<XdrWriter?> DeregisterLegacyLifecycleAsync(XdrReader args, CancellationToken ct)
    {
        args.End("deregister lifecycle");
        lock (_events)
            _legacyEventIds.Remove(DomainEventId.Lifecycle);
        await SyncSubscriptionAsync(ct).ConfigureAwait(false);
        return new XdrWriter().Int(0);
    }

    private async Task<XdrWriter?> RegisterLegacyAnyAsync(XdrReader args, CancellationToken ct)
    {
        var eventId = args.Int("eventID");
        args.End("register any");
        CheckEventId(eventId);
        lock (_events)
            _legacyEventIds.Add(eventId);
        await SyncSubscriptionAsync(ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> DeregisterLegacyAnyAsync(XdrReader args, CancellationToken ct)
    {
        var eventId = args.Int("eventID");
        args.End("deregister any");
        lock (_events)
            _legacyEventIds.Remove(eventId);
        await SyncSubscriptionAsync(ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>Every id libvirt 9.0 defines registers; those Virt has no events for just stay silent.</summary>
    private static void CheckEventId(int eventId)
    {
        if (eventId is < 0 or >= DomainEventId.Last)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"unsupported event ID {eventId}"));
    }

    private async Task SyncSubscriptionAsync(CancellationToken ct)
    {
        bool wanted;
        lock (_events)
            wanted = _callbacks.Count > 0 || _legacyEventIds.Count > 0;
        if (wanted == _subscribed)
            return;
        if (wanted)
            await Connection.SubscribeAsync(new EventSubscription(), ct).ConfigureAwait(false);
        else
            await Connection.UnsubscribeAsync(ct).ConfigureAwait(false);
        _subscribed = wanted;
    }

    private async Task StopEventsAsync()
    {
        lock (_events)
        {
            _callbacks.Clear();
            _legacyEventIds.Clear();
        }
        if (_subscribed && _connection is { } connection)
        {
            try
            {
                await connection.UnsubscribeAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is VirtException or Akka.Actor.AskTimeoutException or OperationCanceledException)
            {
            }
        }
        _subscribed = false;
    }

    /// <summary>One MESSAGE per matching callback (318, with its id), and one 107 for a legacy registration.</summary>
    private bool Deliver(DomainLifecycleEvent e)
    {
        List<int> callbacks;
        bool legacy;
        lock (_events)
        {
            callbacks = [.. _callbacks.Where(c => c.Value.EventId == DomainEventId.Lifecycle && (c.Value.Domain is null || c.Value.Domain == e.Uuid.Value)).Select(c => c.Key)];
            legacy = _legacyEventIds.Contains(DomainEventId.Lifecycle);
        }
        var dom = new RemoteDomain(e.Name.Value, e.Uuid.Value, e.Id ?? -1);
        foreach (var callback in callbacks)
        {
            var body = new XdrWriter().Int(callback);
            WriteLifecycle(body, dom, e);
            if (!output.TryPush(Message(RemoteProcedures.DomainEventCallbackLifecycle, body)))
                return false;
        }
        if (legacy)
        {
            var body = new XdrWriter();
            WriteLifecycle(body, dom, e);
            if (!output.TryPush(Message(RemoteProcedures.DomainEventLifecycle, body)))
                return false;
        }
        return true;
    }

    /// <summary>One 319 per matching reboot callback, and one 169 for a legacy registration of event id 1.</summary>
    private bool Deliver(DomainRebootEvent e)
    {
        List<int> callbacks;
        bool legacy;
        lock (_events)
        {
            callbacks = [.. _callbacks.Where(c => c.Value.EventId == DomainEventId.Reboot && (c.Value.Domain is null || c.Value.Domain == e.Uuid.Value)).Select(c => c.Key)];
            legacy = _legacyEventIds.Contains(DomainEventId.Reboot);
        }
        var dom = new RemoteDomain(e.Name.Value, e.Uuid.Value, e.Id ?? -1);
        foreach (var callback in callbacks)
        {
            var body = new XdrWriter().Int(callback);
            dom.Write(body);
            if (!output.TryPush(Message(RemoteProcedures.DomainEventCallbackReboot, body)))
                return false;
        }
        if (legacy)
        {
            var body = new XdrWriter();
            dom.Write(body);
            if (!output.TryPush(Message(RemoteProcedures.DomainEventReboot, body)))
                return false;
        }
        return true;
    }

    /// <summary>
    /// DEVICE_ADDED (354) and DEVICE_REMOVED (333) per matching callback; a legacy registration of DEVICE_REMOVED gets
    /// its 311 (DEVICE_ADDED never had a legacy message).
    /// </summary>
    private bool Deliver(DomainDeviceEvent e)
    {
        var eventId = e.Added ? DomainEventId.DeviceAdded : DomainEventId.DeviceRemoved;
        List<int> callbacks;
        bool legacy;
        lock (_events)
        {
            callbacks = [.. _callbacks.Where(c => c.Value.EventId == eventId && (c.Value.Domain is null || c.Value.Domain == e.Uuid.Value)).Select(c => c.Key)];
            legacy = !e.Added && _legacyEventIds.Contains(eventId);
        }
        var dom = new RemoteDomain(e.Name.Value, e.Uuid.Value, e.Id ?? -1);
        foreach (var callback in callbacks)
        {
            // Both are the callback id, the domain and the alias (removed's nests the last two in a msg struct, same bytes).
            var body = new XdrWriter().Int(callback);
            dom.Write(body);
            body.String(e.Alias);
            if (!output.TryPush(Message(e.Added ? RemoteProcedures.DomainEventCallbackDeviceAdded : RemoteProcedures.DomainEventCallbackDeviceRemoved, body)))
                return false;
        }
        if (legacy)
        {
            var body = new XdrWriter();
            dom.Write(body);
            body.String(e.Alias);
            if (!output.TryPush(Message(RemoteProcedures.DomainEventDeviceRemoved, body)))
                return false;
        }
        return true;
    }

    private static void WriteLifecycle(XdrWriter w, RemoteDomain dom, DomainLifecycleEvent e)
    {
        dom.Write(w);
        w.Int((int)e.Type).Int(e.Detail);
    }

    private static byte[] Message(int procedure, XdrWriter body) => LibvirtFraming.Encode(
        new LibvirtHeader(LibvirtProgram.Remote, LibvirtProgram.Version, procedure, LibvirtMessageType.Message, 0, LibvirtStatus.Ok), body.Written);
}
