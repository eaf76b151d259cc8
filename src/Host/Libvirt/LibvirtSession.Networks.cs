using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Networks: Virt keeps no libvirt networks (a guest's NIC is user-mode or a host bridge), so every listing is empty,
// every lookup is libvirt's NO_NETWORK, and event callbacks register, as they would on an idle network driver.
internal sealed partial class LibvirtSession
{
    /// <summary>VIR_NETWORK_EVENT_ID_LAST in libvirt 9.0: lifecycle is the only network event.</summary>
    private const int NetworkEventIdLast = 1;

    private readonly ObjectEventCallbacks _networkCallbacks = new("network", NetworkEventIdLast);

    /// <summary>A LIST_ALL call of a driver with nothing in it: no handles, and a count of 0 (need_results or not).</summary>
    private Task<XdrWriter?> ListAllNone(XdrReader args, string what)
    {
        _ = args.Int("need_results");
        _ = args.UInt("flags");
        args.End(what);
        _ = Connection;
        return Done(new XdrWriter().UInt(0).UInt(0));
    }

    /// <summary>An empty name list, once maxnames is within the protocol's limit.</summary>
    private Task<XdrWriter?> NoNames(int max, int limit)
    {
        _ = Connection;
        if (max < 0 || max > limit)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"maxnames {max} must be between 0 and {limit}"));
        return Done(new XdrWriter().UInt(0));
    }

    private Task<XdrWriter?> CountNetworks(XdrReader args)
    {
        args.End("num of networks");
        _ = Connection;
        return Done(new XdrWriter().Int(0));
    }

    private Task<XdrWriter?> ListNetworkNames(XdrReader args)
    {
        var max = args.Int("maxnames");
        args.End("list networks");
        return NoNames(max, P.NetworkListMax);
    }

    private Task<XdrWriter?> LookupNetworkByName(XdrReader args)
    {
        var name = args.String(P.StringMax, "name");
        args.End("network lookup by name");
        _ = Connection;
        throw new VirtException(ErrorCode.NoNetwork, $"no network with matching name '{name.Replace('\0', ' ')}'");
    }

    private Task<XdrWriter?> LookupNetworkByUuid(XdrReader args)
    {
        var uuid = new Guid(args.FixedOpaque(16, "uuid"), bigEndian: true);
        args.End("network lookup by uuid");
        _ = Connection;
        throw new VirtException(ErrorCode.NoNetwork, $"no network with matching uuid '{uuid:D}'");
    }

    /// <summary>A network filter is only a handle to libvirtd (it is not looked up), so any is accepted.</summary>
    private Task<XdrWriter?> RegisterNetworkCallback(XdrReader args)
    {
        var eventId = args.Int("eventID");
        var net = RemotePool.ReadOptional(args, "net");
        args.End("network event register any");
        _ = Connection;
        return Done(new XdrWriter().Int(_networkCallbacks.Register(eventId, net?.Uuid)));
    }

    /// <summary>Deregistration of a callback of a driver whose events never fire (networks, node devices).</summary>
    private Task<XdrWriter?> DeregisterCallback(XdrReader args, ObjectEventCallbacks callbacks, string what)
    {
        var id = args.Int("callbackID");
        args.End(what);
        _ = Connection;
        callbacks.Deregister(id);
        return Done();
    }
}
