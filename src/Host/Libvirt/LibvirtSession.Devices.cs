using Virt.Protocol.Api;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainReplies;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Devices: virDomainUpdateDeviceFlags, which virsh's update-device and change-media send.
internal sealed partial class LibvirtSession
{
    private async Task<XdrWriter?> UpdateDeviceAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var xml = args.String(P.StringMax, "xml");
        var flags = (DomainModificationFlags)args.UInt("flags"); // VIR_DOMAIN_DEVICE_MODIFY_FORCE shares the bit of Maximum
        args.End("update device");
        await CallAsync<DomainSummary>(new DomainDevices.UpdateDevice(dom, xml, flags), ct).ConfigureAwait(false);
        return null;
    }
}
