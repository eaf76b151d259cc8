using Virt.Protocol.Api;

namespace Virt.Protocol.Events;

/// <summary>
/// The guest's hardware was reset, as libvirt's VIR_DOMAIN_EVENT_ID_REBOOT reports it: one for every RESET QEMU
/// reports (a guest reboot, a reset, the reset of a reboot Virt fakes), with no lifecycle change.
/// </summary>
public sealed record DomainRebootEvent(DomainName Name, DomainUuid Uuid)
{
    /// <summary>The domain's id when the event was published.</summary>
    public int? Id { get; init; }
}
