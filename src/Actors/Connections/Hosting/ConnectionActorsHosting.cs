using Akka.Hosting;
using Virt.Actors.Hosting;

namespace Virt.Actors.Connections.Hosting;

/// <summary>ActorRegistry key of /user/connections; inject <c>IRequiredActor&lt;ConnectionManager&gt;</c>.</summary>
public sealed class ConnectionManager;

/// <summary>Akka.Hosting registration of the connection actor family.</summary>
public static class ConnectionActorsHosting
{
    /// <summary>Name of the connection manager under /user.</summary>
    public const string ManagerName = "connections";

    /// <summary>
    /// Starts /user/connections in front of /user/domains, or of /user/cluster on a cluster node; call after
    /// <c>WithDomainActors</c> (and <c>WithClusterActors</c>).
    /// </summary>
    public static AkkaConfigurationBuilder WithConnectionActors(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry) =>
        {
            var domains = registry.TryGet<ClusterFront>(out var front) ? front : registry.Get<DomainRegistry>();
            registry.Register<ConnectionManager>(system.ActorOf(ConnectionManagerActor.Props(domains), ManagerName));
        });
}
