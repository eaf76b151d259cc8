using System.Globalization;
using System.Runtime.InteropServices;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Network;

/// <summary>
/// A tap made for one start of a guest NIC and plugged into a bridge, as libvirt's system daemon does. It is not
/// persistent: it goes away with the last descriptor, so QEMU's death removes it and nothing is left on the host.
/// </summary>
public sealed class TapDevice : IDisposable
{
    /// <summary>Kernel-numbered names, as libvirt's; a definition naming one of these gets a fresh number instead.</summary>
    public const string AutomaticNamePrefix = "vnet";

    private TapDevice(string name, int descriptor)
    {
        Name = name;
        Descriptor = descriptor;
    }

    public string Name { get; }
    /// <summary>The daemon's descriptor (close-on-exec); QEMU gets its own copy at spawn.</summary>
    public int Descriptor { get; private set; }

    /// <param name="what">The interface, as errors name it ("interface 0").</param>
    /// <param name="requestedName">&lt;target dev&gt;, or null for vnetN.</param>
    /// <param name="guestMac">The guest's MAC; the tap takes it with the first byte 0xfe, so the bridge never takes the guest's address.</param>
    public static TapDevice CreateOnBridge(string what, string bridge, string? requestedName, string guestMac, bool vnetHeader)
    {
        var control = NetIoctl.Socket(NetIoctl.AF_INET, NetIoctl.SOCK_DGRAM | NetIoctl.SOCK_CLOEXEC, 0);
        if (control < 0)
            throw Failure(what, "cannot open a control socket", Marshal.GetLastPInvokeError());
        TapDevice? tap = null;
        try
        {
            // The tap first: a daemon without the privilege hears that, whatever the bridge.
            tap = Open(what, bridge, requestedName, vnetHeader);
            var bridgeRequest = NetIoctl.IfReq(bridge);
            if (NetIoctl.Ioctl(control, NetIoctl.SIOCGIFMTU, bridgeRequest) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno == NetIoctl.ENODEV
                    ? new VirtException(ErrorCode.OperationFailed, $"{what}: bridge '{bridge}' does not exist on this host")
                    : Failure(what, $"cannot read the MTU of bridge '{bridge}'", errno);
            }
            var mtu = BitConverter.ToInt32(bridgeRequest, 16);
            // Every bridge reports its driver; an interface that reports none (lo) is no bridge either.
            var driver = NetIoctl.DriverOf(control, bridge);
            if (driver != "bridge")
                throw new VirtException(ErrorCode.OperationFailed, $"{what}: '{bridge}' is not a bridge" + (driver is null ? "" : $" (its driver is {driver})"));

            Apply(control, tap.Name, NetIoctl.SIOCSIFHWADDR, r =>
            {
                BitConverter.GetBytes(NetIoctl.ARPHRD_ETHER).CopyTo(r, 16);
                HostMac(guestMac).CopyTo(r, 18);
            }, what, "cannot set the tap's MAC address");
            Apply(control, tap.Name, NetIoctl.SIOCSIFMTU, r => BitConverter.GetBytes(mtu).CopyTo(r, 16), what, "cannot set the tap's MTU");

            var index = NetIoctl.IfReq(tap.Name);
            if (NetIoctl.Ioctl(control, NetIoctl.SIOCGIFINDEX, index) != 0)
                throw Failure(what, $"cannot find tap '{tap.Name}'", Marshal.GetLastPInvokeError());
            var plug = NetIoctl.IfReq(bridge);
            Array.Copy(index, 16, plug, 16, 4);
            if (NetIoctl.Ioctl(control, NetIoctl.SIOCBRADDIF, plug) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno is NetIoctl.EOPNOTSUPP or NetIoctl.EINVAL
                    ? new VirtException(ErrorCode.OperationFailed, $"{what}: '{bridge}' is not a bridge")
                    : Failure(what, $"cannot add tap '{tap.Name}' to bridge '{bridge}'", errno);
            }

            var flags = NetIoctl.IfReq(tap.Name);
            if (NetIoctl.Ioctl(control, NetIoctl.SIOCGIFFLAGS, flags) != 0)
                throw Failure(what, $"cannot read the flags of tap '{tap.Name}'", Marshal.GetLastPInvokeError());
            BitConverter.GetBytes((short)(BitConverter.ToInt16(flags, 16) | NetIoctl.IFF_UP)).CopyTo(flags, 16);
            if (NetIoctl.Ioctl(control, NetIoctl.SIOCSIFFLAGS, flags) != 0)
                throw Failure(what, $"cannot bring tap '{tap.Name}' up", Marshal.GetLastPInvokeError());
            return tap;
        }
        catch
        {
            tap?.Dispose();
            throw;
        }
        finally
        {
            LibC.Close(control);
        }
    }

    private static TapDevice Open(string what, string bridge, string? requestedName, bool vnetHeader)
    {
        var fd = LibC.Open("/dev/net/tun", LibC.O_RDWR | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno is NetIoctl.EPERM or NetIoctl.EACCES ? Unprivileged(what, bridge) : Failure(what, "cannot open /dev/net/tun", errno);
        }
        var automatic = requestedName is null || requestedName.StartsWith(AutomaticNamePrefix, StringComparison.Ordinal);
        var request = NetIoctl.IfReq(automatic ? AutomaticNamePrefix + "%d" : requestedName!);
        var mode = (short)(NetIoctl.IFF_TAP | NetIoctl.IFF_NO_PI | (vnetHeader ? NetIoctl.IFF_VNET_HDR : 0));
        BitConverter.GetBytes(mode).CopyTo(request, 16);
        if (NetIoctl.Ioctl(fd, NetIoctl.TUNSETIFF, request) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            LibC.Close(fd);
            throw errno == NetIoctl.EPERM ? Unprivileged(what, bridge) : Failure(what, "cannot create a tap device", errno);
        }
        return new TapDevice(NetIoctl.Name(request), fd);
    }

    private static void Apply(int control, string name, uint command, Action<byte[]> fill, string what, string failure)
    {
        var request = NetIoctl.IfReq(name);
        fill(request);
        if (NetIoctl.Ioctl(control, command, request) != 0)
            throw Failure(what, failure, Marshal.GetLastPInvokeError());
    }

    private static byte[] HostMac(string guestMac)
    {
        var parts = guestMac.Split(':');
        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
            bytes[i] = byte.Parse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        bytes[0] = 0xfe;
        return bytes;
    }

    private static VirtException Unprivileged(string what, string bridge) => new(ErrorCode.OperationDenied,
        $"{what}: plugging the guest into bridge '{bridge}' needs a tap, and creating one needs CAP_NET_ADMIN, which this daemon lacks: "
        + "run the system daemon (virtd --system, as root), or use <interface type='user'>, or type='ethernet' with a tap you own");

    private static VirtException Failure(string what, string action, int errno) =>
        new(ErrorCode.OperationFailed, $"{what}: {action}: {LibC.StrError(errno)}");

    /// <summary>The same tap at another descriptor; this one's is closed.</summary>
    internal TapDevice Adopt(int descriptor)
    {
        Dispose();
        return new TapDevice(Name, descriptor);
    }

    public void Dispose()
    {
        var fd = Descriptor;
        Descriptor = -1;
        if (fd >= 0)
            LibC.Close(fd);
    }
}
