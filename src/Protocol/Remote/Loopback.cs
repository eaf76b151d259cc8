using System.Net;
using System.Net.Sockets;

namespace Virt.Protocol.Remote;

/// <summary>Which address a remote client binds to: one the daemon can reach it at.</summary>
public static class Loopback
{
    /// <summary>
    /// A client's own endpoint: the loopback address of <paramref name="host"/>'s family, or for another host the
    /// local address the kernel routes to it through, so the daemon sees an address it can reach.
    /// </summary>
    public static string LocalAddressFor(string host)
    {
        var addresses = Resolve(host);
        if (addresses.Length > 0 && !IsLoopback(addresses))
        {
            try
            {
                // A UDP connect sends nothing; it only asks the kernel which local address reaches the target.
                using var probe = new Socket(addresses[0].AddressFamily, SocketType.Dgram, ProtocolType.Udp);
                probe.Connect(addresses[0], 9);
                return ((IPEndPoint)probe.LocalEndPoint!).Address.ToString();
            }
            catch (SocketException)
            {
                // No route now: Akka's own connect will report it with the daemon's address.
            }
        }
        return IPAddress.TryParse(host.Trim('[', ']'), out var literal) && literal.AddressFamily == AddressFamily.InterNetworkV6
            ? "::1"
            : "127.0.0.1";
    }

    /// <summary>The host's addresses, looked up once: a literal address as it is, none for a name that does not resolve.</summary>
    private static IPAddress[] Resolve(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
            return [address];
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            return [IPAddress.Loopback];
        try
        {
            return Dns.GetHostAddresses(host);
        }
        catch (SocketException)
        {
            return [];
        }
    }

    private static bool IsLoopback(IPAddress[] addresses) => addresses.Length > 0 && addresses.All(IPAddress.IsLoopback);
}
