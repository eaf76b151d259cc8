using Virt.Protocol.Api;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Host.Libvirt;

// Devices: virDomainUpdateDeviceFlags, which virsh's update-device and change-media send.
internal sealed partial class LibvirtSession
{
    /// <remarks>VIR_DOMAIN_DEVICE_MODIFY_FORCE shares the bit of Maximum in the flags.</remarks>
    private async Task<XdrWriter?> UpdateDeviceAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, xml, flags) = ReadDeviceChange(args, withFlags: true, "update device");
        await CallAsync<DomainSummary>(new DomainDevices.UpdateDevice(dom, xml, flags), ct).ConfigureAwait(false);
        return null;
    }
}
