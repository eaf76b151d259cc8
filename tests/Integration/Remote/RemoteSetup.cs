using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Virt.Integration.Tests.Remote;

/// <summary>Config files that turn on virtd's Akka.Remote endpoint for a test.</summary>
public static class RemoteSetup
{
    /// <summary>A loopback port free right now; the kernel picks it, so parallel tests do not collide.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string WriteConfig(string dir, string hostname, int port, bool tls = false,
        string certificate = "", params string[] trustedThumbprints)
    {
        var path = Path.Combine(dir, "remote.hocon");
        var trusted = string.Join(", ", trustedThumbprints.Select(t => $"\"{t}\""));
        File.WriteAllText(path, $$"""
            virt.remote {
              enabled = on
              hostname = "{{hostname}}"
              port = {{port}}
              tls = {{(tls ? "on" : "off")}}
              certificate = "{{certificate}}"
              trusted-thumbprints = [{{trusted}}]
            }
            """);
        return path;
    }

    /// <summary>An IPv4 address of this machine other than loopback, where TLS is required; loopback when there is none.</summary>
    public static string ExternalAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?.ToString() ?? "127.0.0.1";
}
