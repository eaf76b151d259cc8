using System.Net;
using System.Net.Sockets;

namespace Virt.Protocol.Remote;

/// <summary>Which host names stay on this machine; Akka.Remote without TLS is allowed only on those.</summary>
public static class Loopback
{
    /// <summary>True for loopback addresses and for names that resolve to loopback addresses only.</summary>
    public static bool IsLoopback(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
            return IPAddress.IsLoopback(address);
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            return true;
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.Length > 0 && addresses.All(IPAddress.IsLoopback);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The loopback address of the same family as <paramref name="host"/>, for a client's own endpoint.</summary>
    public static string LocalAddressFor(string host) =>
        IPAddress.TryParse(host.Trim('[', ']'), out var address) && address.AddressFamily == AddressFamily.InterNetworkV6
            ? "::1"
            : "127.0.0.1";

    /// <summary>The one message for every refusal of a non-loopback address, so the daemon and clients agree.</summary>
    public static string TlsRequired(string host) =>
        $"'{host}' is not a loopback address: Akka.Remote on any other address requires TLS, which this version does not support yet; use 127.0.0.1 or ::1";
}
