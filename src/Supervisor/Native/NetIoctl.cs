using System.Runtime.InteropServices;

namespace Virt.Supervisor.Native;

/// <summary>The TUN and interface ioctls a tap on a bridge needs (Linux; struct ifreq is 40 bytes on 64-bit).</summary>
internal static class NetIoctl
{
    private const string Lib = "libc";

    public const int IfReqSize = 40;
    public const int IfNameSize = 16;

    public const uint TUNSETIFF = 0x400454ca;
    public const short IFF_TAP = 0x0002;
    public const short IFF_NO_PI = 0x1000;
    public const short IFF_VNET_HDR = 0x4000;
    public const short IFF_UP = 0x1;

    public const uint SIOCGIFFLAGS = 0x8913;
    public const uint SIOCSIFFLAGS = 0x8914;
    public const uint SIOCGIFMTU = 0x8921;
    public const uint SIOCSIFMTU = 0x8922;
    public const uint SIOCSIFHWADDR = 0x8924;
    public const uint SIOCGIFINDEX = 0x8933;
    public const uint SIOCBRADDIF = 0x89a2;
    public const uint SIOCETHTOOL = 0x8946;
    public const int ETHTOOL_GDRVINFO = 0x3;
    // struct ethtool_drvinfo: cmd, then driver[32], ...; 196 bytes in all.
    public const int DriverInfoSize = 196;

    public const int AF_INET = 2;
    public const int SOCK_DGRAM = 2;
    public const int SOCK_CLOEXEC = 0x80000;
    public const short ARPHRD_ETHER = 1;
    public const int F_DUPFD_CLOEXEC = 1030;

    public const int ENODEV = 19;
    public const int EPERM = 1;
    public const int EACCES = 13;
    public const int EINVAL = 22;
    public const int EOPNOTSUPP = 95;

    [DllImport(Lib, EntryPoint = "ioctl", SetLastError = true)]
    public static extern int Ioctl(int fd, nuint request, byte[] ifreq);

    [DllImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static extern int Socket(int domain, int type, int protocol);

    [DllImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static extern int Fcntl(int fd, int command, int argument);

    /// <summary>The kernel driver behind an interface ("bridge", "tun", "veth"), or null if it cannot be read.</summary>
    public static string? DriverOf(int control, string name)
    {
        var info = Marshal.AllocHGlobal(DriverInfoSize);
        try
        {
            for (var i = 0; i < DriverInfoSize; i++)
                Marshal.WriteByte(info, i, 0);
            Marshal.WriteInt32(info, ETHTOOL_GDRVINFO);
            var request = IfReq(name);
            BitConverter.GetBytes((long)info).CopyTo(request, 16);
            if (Ioctl(control, SIOCETHTOOL, request) != 0)
                return null;
            return Marshal.PtrToStringUTF8(info + 4);
        }
        finally
        {
            Marshal.FreeHGlobal(info);
        }
    }

    /// <summary>An ifreq naming an interface; the union after the name starts at byte 16.</summary>
    public static byte[] IfReq(string name)
    {
        var request = new byte[IfReqSize];
        var bytes = System.Text.Encoding.ASCII.GetBytes(name);
        if (bytes.Length >= IfNameSize)
            throw new ArgumentException($"interface name '{name}' is longer than {IfNameSize - 1} characters");
        bytes.CopyTo(request, 0);
        return request;
    }

    public static string Name(byte[] ifreq)
    {
        var end = Array.IndexOf(ifreq, (byte)0, 0, IfNameSize);
        return System.Text.Encoding.ASCII.GetString(ifreq, 0, end < 0 ? IfNameSize : end);
    }
}
