using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Node devices: Virt assigns no host devices, so it lists none; lookups are libvirt's NO_NODE_DEVICE and event
// callbacks register without ever firing.
internal sealed partial class LibvirtSession
{
    /// <summary>VIR_NODE_DEVICE_EVENT_ID_LAST in libvirt 9.0: lifecycle and update.</summary>
    private const int NodeDeviceEventIdLast = 2;

    private readonly ObjectEventCallbacks _nodeDeviceCallbacks = new("node device", NodeDeviceEventIdLast);

    private Task<XdrWriter?> CountNodeDevices(XdrReader args)
    {
        _ = args.OptionalString(P.StringMax, "cap");
        _ = args.UInt("flags");
        args.End("node num of devices");
        _ = Connection;
        return Done(new XdrWriter().Int(0));
    }

    private Task<XdrWriter?> ListNodeDeviceNames(XdrReader args)
    {
        _ = args.OptionalString(P.StringMax, "cap");
        var max = args.Int("maxnames");
        _ = args.UInt("flags");
        args.End("node list devices");
        return NoNames(max, P.NodeDeviceListMax);
    }

    private Task<XdrWriter?> LookupNodeDeviceByName(XdrReader args)
    {
        var name = args.String(P.StringMax, "name");
        args.End("node device lookup by name");
        _ = Connection;
        throw new LibvirtFault(new LibvirtError(LibvirtError.NoNodeDevice, LibvirtError.FromNodeDev,
            $"Node device not found: no node device with matching name '{name.Replace('\0', ' ')}'"));
    }

    /// <summary>remote_node_device: a pointer to the device's name; the filter never matches, as nothing fires.</summary>
    private Task<XdrWriter?> RegisterNodeDeviceCallback(XdrReader args)
    {
        var eventId = args.Int("eventID");
        if (args.Bool("dev"))
            _ = args.String(P.StringMax, "dev.name");
        args.End("node device event register any");
        _ = Connection;
        return Done(new XdrWriter().Int(_nodeDeviceCallbacks.Register(eventId, null)));
    }
}
