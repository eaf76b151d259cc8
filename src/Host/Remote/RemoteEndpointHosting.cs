using Akka.Hosting;
using Akka.Remote.Hosting;
using Akka.Remote.Transport.DotNetty;
using Virt.Actors.Connections.Hosting;
using Virt.Host.Configuration;
using Virt.Protocol.Errors;
using Virt.Protocol.Remote;

namespace Virt.Host.Remote;

/// <summary>Akka.Remote for .NET clients (qemu+akka://HOST:PORT/): off unless virt.remote.enabled = on.</summary>
public static class RemoteEndpointHosting
{
    /// <summary>Refuses settings that cannot be served safely: remoting without TLS (on any address), TLS without a usable certificate.</summary>
    /// <returns>With remoting on, the setup holding the loaded certificate; null when remoting is off.</returns>
    public static DotNettySslSetup? Validate(RemoteSettings remote)
    {
        if (!remote.Enabled)
            return null;
        if (remote.Port is < 0 or > 65535)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"virt.remote.port {remote.Port} is not a TCP port");
        if (!remote.Tls)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"virt.remote.enabled = on needs tls = on: {RemoteTrust.TlsRequired}");
        return TlsOf(remote).ToSetup();
    }

    public static RemoteTls TlsOf(RemoteSettings remote)
    {
        if (string.IsNullOrEmpty(remote.Certificate))
            throw new VirtException(ErrorCode.ConfigUnsupported,
                "virt.remote.tls = on needs virt.remote.certificate, the daemon's PKCS#12 certificate file with its key");
        if (remote.TrustedThumbprints.Count == 0)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                "virt.remote.tls = on needs virt.remote.trusted-thumbprints, the SHA-1 thumbprints of the client certificates to accept");
        return new RemoteTls(remote.Certificate, Environment.GetEnvironmentVariable(RemoteTls.PasswordVariable), remote.TrustedThumbprints);
    }

    /// <summary>Binds remoting to the configured endpoint (TLS when configured), with the Protocol serializer and /user/remote-endpoint.</summary>
    public static AkkaConfigurationBuilder WithRemoteEndpoint(this AkkaConfigurationBuilder builder, VirtConfig config)
    {
        var remote = config.Host.Remote;
        if (!remote.Enabled)
            return builder;
        if (config.Host.Cluster.Enabled)
            return builder.WithActors((system, registry) => // the cluster's endpoint (its TLS, serializer, port) serves the clients
                system.ActorOf(RemoteEndpointActor.Props(registry.Get<ConnectionManager>(), config.Host.CallTimeout), RemoteMessages.EndpointName));
        if (Validate(remote) is { } tls)
            builder.AddHocon(RemoteTls.Hocon, HoconAddMode.Prepend).AddSetup(tls);
        return builder
            .AddHocon(VirtJsonSerializer.Hocon, HoconAddMode.Prepend)
            .WithRemoting(remote.Hostname, remote.Port)
            .WithActors((system, registry) =>
            {
                var connections = registry.Get<ConnectionManager>();
                system.ActorOf(RemoteEndpointActor.Props(connections, config.Host.CallTimeout), RemoteMessages.EndpointName);
            });
    }
}
