using Akka.Hosting;
using Akka.Remote.Hosting;
using Virt.Actors.Connections.Hosting;
using Virt.Host.Configuration;
using Virt.Protocol.Errors;
using Virt.Protocol.Remote;

namespace Virt.Host.Remote;

/// <summary>Akka.Remote for .NET clients (qemu+akka://HOST:PORT/): off unless virt.remote.enabled = on.</summary>
public static class RemoteEndpointHosting
{
    /// <summary>Refuses settings this version cannot serve safely: TLS, and with it any non-loopback address.</summary>
    public static void Validate(RemoteSettings remote)
    {
        if (!remote.Enabled)
            return;
        if (remote.Tls)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                "virt.remote.tls = on: TLS for Akka.Remote is not supported yet; use a loopback virt.remote.hostname without tls");
        if (!Loopback.IsLoopback(remote.Hostname))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"virt.remote.hostname {Loopback.TlsRequired(remote.Hostname)}");
        if (remote.Port is < 0 or > 65535)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"virt.remote.port {remote.Port} is not a TCP port");
    }

    /// <summary>Binds remoting to the configured loopback endpoint, with the Protocol serializer and /user/remote-endpoint.</summary>
    public static AkkaConfigurationBuilder WithRemoteEndpoint(this AkkaConfigurationBuilder builder, VirtConfig config)
    {
        var remote = config.Host.Remote;
        if (!remote.Enabled)
            return builder;
        Validate(remote);
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
