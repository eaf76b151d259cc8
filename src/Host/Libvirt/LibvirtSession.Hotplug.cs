using Virt.Protocol.Api;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainReplies;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Hot-plug: virDomainAttachDevice(Flags) and DetachDevice(Flags), which virsh's attach-disk, detach-disk,
// attach-interface, detach-interface, attach-device and detach-device send (a <disk> or an <interface>); without
// flags the change is live.
internal sealed partial class LibvirtSession
{
    private async Task<XdrWriter?> AttachDeviceAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var (dom, xml, flags) = ReadDeviceChange(args, withFlags, "attach device");
        await CallAsync<DomainSummary>(new DomainDevices.AttachDevice(dom, xml, flags), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> DetachDeviceAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var (dom, xml, flags) = ReadDeviceChange(args, withFlags, "detach device");
        await CallAsync<DomainSummary>(new DomainDevices.DetachDevice(dom, xml, flags), ct).ConfigureAwait(false);
        return null;
    }

    private static (DomainRef Domain, string Xml, DomainModificationFlags Flags) ReadDeviceChange(XdrReader args, bool withFlags, string what)
    {
        var dom = ReadDom(args);
        var xml = args.String(P.StringMax, "xml");
        var flags = withFlags ? (DomainModificationFlags)args.UInt("flags") : DomainModificationFlags.Live;
        args.End(what);
        return (dom, xml, flags);
    }
}
