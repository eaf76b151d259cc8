using Akka.Hosting;
using Virt.Actors.Config;
using Virt.Actors.Registry;

namespace Virt.Actors.Hosting;

/// <summary>ActorRegistry key of /user/domains; inject <c>IRequiredActor&lt;DomainRegistry&gt;</c>.</summary>
public sealed class DomainRegistry;

/// <summary>Akka.Hosting registration of the domain actor family.</summary>
public static class DomainActorsHosting
{
    /// <summary>Name of the registry actor under /user.</summary>
    public const string RegistryName = "domains";

    /// <summary>
    /// Starts /user/domains on <paramref name="settings"/>' config directory. The directory is checked
    /// (owner, mode) while the actor system starts, so a bad one fails the host start with the reason.
    /// </summary>
    public static AkkaConfigurationBuilder WithDomainActors(this AkkaConfigurationBuilder builder, DomainRegistrySettings settings) =>
        builder.WithActors((system, registry) =>
        {
            var store = ConfigStore.Open(settings.ConfigDirectory);
            var actor = system.ActorOf(DomainRegistryActor.Props(store), RegistryName);
            registry.Register<DomainRegistry>(actor);
        });
}
