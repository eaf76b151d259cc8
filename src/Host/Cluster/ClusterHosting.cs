using Akka.Hosting;
using Virt.Actors.Cluster;
using Virt.Actors.Hosting;
using Virt.Host.Configuration;
using Virt.Host.Remote;
using Virt.Protocol.Errors;
using Virt.Protocol.Remote;

namespace Virt.Host.Cluster;

/// <summary>
/// virt.cluster: the daemon as one node of an Akka.Cluster, over Akka.Remote with the same mutual TLS as
/// virt.remote. Off by default; when off nothing of Akka.Cluster is loaded.
/// </summary>
public static class ClusterHosting
{
    /// <summary>Refuses a cluster that cannot run safely (no TLS, no name, no seed) before anything starts.</summary>
    public static void Validate(HostSettings host)
    {
        var cluster = host.Cluster;
        if (!cluster.Enabled)
            return;
        if (cluster.NodeName.Length == 0 || cluster.NodeName.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '|' or '"'))
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"virt.cluster.node-name '{cluster.NodeName}' must be a word without spaces, quotes or '|'");
        if (cluster.Port is < 1 or > 65535)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"virt.cluster.port {cluster.Port} is not a TCP port");
        if (cluster.SeedNodes.Count == 0)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                "virt.cluster.seed-nodes is empty: list the nodes to join as \"HOST:PORT\" (the first node of a new cluster lists itself first)");
        foreach (var seed in cluster.SeedNodes)
            SeedAddress(seed);
        if (host.Remote.Enabled && host.Remote.Port != cluster.Port)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"virt.remote.port {host.Remote.Port} and virt.cluster.port {cluster.Port} differ: a cluster node has one Akka.Remote endpoint, "
                + "which serves qemu+akka:// clients too; set both to the same port");
        if (!host.Remote.Tls)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"virt.cluster.enabled = on needs virt.remote.tls = on (with certificate and trusted-thumbprints, each node's certificate pinned on the others): {RemoteTrust.TlsRequired}");
        RemoteEndpointHosting.TlsOf(host.Remote).ToSetup().Certificate.Dispose();
    }

    /// <summary>"HOST:PORT" as Akka's address of the node's actor system.</summary>
    public static string SeedAddress(string seed)
    {
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535 || seed[..colon].Contains('/'))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"virt.cluster.seed-nodes entry '{seed}' is not HOST:PORT");
        return $"akka.ssl.tcp://{RemoteMessages.DaemonSystemName}@{seed[..colon]}:{port}";
    }

    public static AkkaConfigurationBuilder WithCluster(this AkkaConfigurationBuilder builder, VirtConfig config,
        Supervisor.Capabilities.CapabilitiesCache capabilities)
    {
        var cluster = config.Host.Cluster;
        if (!cluster.Enabled)
            return builder;
        Validate(config.Host);
        var seeds = string.Join(", ", cluster.SeedNodes.Select(s => $"\"{SeedAddress(s)}\""));
        return builder
            .AddHocon(RemoteTls.Hocon, HoconAddMode.Prepend)
            .AddSetup(RemoteEndpointHosting.TlsOf(config.Host.Remote).ToSetup())
            .AddHocon(VirtJsonSerializer.Hocon, HoconAddMode.Prepend)
            .AddHocon($$"""
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp {
                  hostname = "{{cluster.Hostname}}"
                  port = {{cluster.Port}}
                }
                akka.cluster {
                  seed-nodes = [{{seeds}}]
                  roles = ["{{ClusterSettings.RolePrefix}}{{cluster.NodeName}}"]
                  # a node that asked a seed before the seed had formed the cluster asks again after this, not Akka's 5 s
                  seed-node-timeout = 2s
                  downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
                  split-brain-resolver {
                    active-strategy = keep-majority
                    # a partition that keeps changing is waited out, never answered by downing every node
                    down-all-when-unstable = off
                    stable-after = {{(int)cluster.StableAfter.TotalMilliseconds}}ms
                  }
                  run-coordinated-shutdown-when-down = on
                }
                """, HoconAddMode.Prepend)
            .WithClusterActors(cluster, config.Host.CallTimeout, capabilities, config.Runtime.DefaultEmulator);
    }
}
