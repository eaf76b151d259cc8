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

    /// <summary>virtd's remote endpoint with mutual TLS (always required), its certificate, and the client thumbprints it trusts.</summary>
    public static string WriteConfig(string dir, string hostname, int port, string certificate, params string[] trustedThumbprints) =>
        WriteConfig(dir, hostname, port, tls: true, certificate, trustedThumbprints);

    public static string WriteConfig(string dir, string hostname, int port, bool tls, string certificate = "", params string[] trustedThumbprints)
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

    /// <summary>A client URI with its certificate and the daemon's pinned thumbprint.</summary>
    public static string ClientUri(int port, string certificate, string daemonThumbprint) =>
        $"qemu+akka://127.0.0.1:{port}/?cert={System.Uri.EscapeDataString(certificate)}&pin={daemonThumbprint}";
}
