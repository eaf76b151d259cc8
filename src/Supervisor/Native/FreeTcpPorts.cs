using System.Net;
using System.Net.Sockets;

namespace Virt.Supervisor.Native;

/// <summary>A TCP port nothing listens on, as libvirt's port allocator finds one for SPICE: tried by binding it.</summary>
public static class FreeTcpPorts
{
    /// <summary>The first port from <paramref name="from"/> that binds on the address; null when none up to 65535 does.</summary>
    public static int? First(string address, int from)
    {
        var ip = address is "0.0.0.0" or "::" or "" ? (address == "::" ? IPAddress.IPv6Any : IPAddress.Any)
            : IPAddress.TryParse(address.Trim('[', ']'), out var parsed) ? parsed : IPAddress.Loopback;
        for (var port = from; port <= 65535; port++)
        {
            using var probe = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(ip, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }
        return null;
    }
}
