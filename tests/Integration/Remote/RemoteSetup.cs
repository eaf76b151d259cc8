using System.Net;
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

    public static string WriteConfig(string dir, string hostname, int port, bool tls = false)
    {
        var path = Path.Combine(dir, "remote.hocon");
        File.WriteAllText(path, $$"""
            virt.remote {
              enabled = on
              hostname = "{{hostname}}"
              port = {{port}}
              tls = {{(tls ? "on" : "off")}}
            }
            """);
        return path;
    }
}
