using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Host.Libvirt;

// DOMAIN_INTERFACE_ADDRESSES as libvirt's qemu driver answers a guest of Virt's: no libvirt network hands out DHCP
// leases, there is no guest agent channel, and ARP is not read, so LEASE and ARP find no addresses.
internal sealed partial class LibvirtSession
{
    private const uint AddressesFromLease = 0;
    private const uint AddressesFromAgent = 1;
    private const uint AddressesFromArp = 2;

    private async Task<XdrWriter?> InterfaceAddressesAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var source = args.UInt("source");
        var flags = args.UInt("flags");
        args.End("domain interface addresses");
        if (flags != 0)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"unsupported flags (0x{flags:x}) in function qemuDomainInterfaceAddresses"));
        var summary = await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false);
        if (!summary.Active)
            throw new VirtException(ErrorCode.OperationInvalid, "domain is not running");
        return source switch
        {
            AddressesFromLease or AddressesFromArp => new XdrWriter().UInt(0),
            AddressesFromAgent => throw new LibvirtFault(new LibvirtError(LibvirtError.ArgumentUnsupported, LibvirtError.FromQemu, "argument unsupported: QEMU guest agent is not configured")),
            _ => throw new LibvirtFault(new LibvirtError(LibvirtError.ArgumentUnsupported, LibvirtError.FromQemu, $"argument unsupported: Unknown IP address data source {source}")),
        };
    }
}
