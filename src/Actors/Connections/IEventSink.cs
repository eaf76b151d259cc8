using Virt.Protocol.Events;

namespace Virt.Actors.Connections;

/// <summary>
/// Where a connection hands its client's events; the transport implements it with a bounded queue so a
/// client that stops reading costs the daemon a fixed amount of memory.
/// </summary>
public interface IEventSink
{
    /// <summary>Queues <paramref name="e"/> for the client; false when the client has stopped reading and was disconnected.</summary>
    bool TryPush(DomainLifecycleEvent e);

    /// <summary>Queues a reboot event; a sink whose protocol carries only lifecycle events leaves it out.</summary>
    bool TryPush(DomainRebootEvent e) => true;

    /// <summary>Queues a device event (added, removed); left out as reboot events are.</summary>
    bool TryPush(DomainDeviceEvent e) => true;
}
