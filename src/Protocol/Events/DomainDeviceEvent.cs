using Virt.Protocol.Api;

namespace Virt.Protocol.Events;

/// <summary>
/// A device went into or out of a running guest, as libvirt's VIR_DOMAIN_EVENT_ID_DEVICE_ADDED and DEVICE_REMOVED
/// report it: by its alias (virtio-disk1); a removal once the guest let it go.
/// </summary>
public sealed record DomainDeviceEvent(DomainName Name, DomainUuid Uuid, string Alias, bool Added)
{
    /// <summary>The domain's id when the event was published.</summary>
    public int? Id { get; init; }
}
