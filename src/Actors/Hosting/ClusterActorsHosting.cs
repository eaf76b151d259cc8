using Akka.Actor;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;
using Virt.Actors.Cluster;

namespace Virt.Actors.Hosting;

/// <summary>ActorRegistry key of /user/cluster, the connections' way in on a cluster node.</summary>
public sealed class ClusterFront;

/// <summary>Akka.Hosting registration of a cluster node's actors: the name directory singleton and the front.</summary>
public static class ClusterActorsHosting
{
    public const string DirectoryName = "names";

    /// <summary>Starts the name directory (one in the cluster, on its oldest node) and /user/cluster; call after <c>WithDomainActors</c>.</summary>
    /// <param name="capabilities">The node's emulator probes, shared with its domain actors, for placement.</param>
    public static AkkaConfigurationBuilder WithClusterActors(this AkkaConfigurationBuilder builder, ClusterSettings settings, TimeSpan callTimeout,
        Supervisor.Capabilities.CapabilitiesCache capabilities, string defaultEmulator) =>
        builder.WithActors((system, registry) =>
        {
            system.Settings.InjectTopLevelFallback(ClusterSingleton.DefaultConfig());
            system.Settings.InjectTopLevelFallback(Akka.Cluster.Tools.PublishSubscribe.DistributedPubSub.DefaultConfig());
            system.ActorOf(ClusterSingletonManager.Props(NameDirectoryActor.Props(settings.AskTimeout), PoisonPill.Instance,
                ClusterSingletonManagerSettings.Create(system)), DirectoryName);
            var directory = system.ActorOf(ClusterSingletonProxy.Props($"/user/{DirectoryName}", ClusterSingletonProxySettings.Create(system)),
                DirectoryName + "-proxy");
            var front = system.ActorOf(ClusterFrontActor.Props(registry.Get<DomainRegistry>(), directory, settings, callTimeout,
                capabilities, defaultEmulator), ClusterFrontActor.Name);
            registry.Register<ClusterFront>(front);
        });
}
