using Akka.Hosting;
using Virt.Actors.Config;
using Virt.Actors.Registry;
using Virt.Actors.Runtime;
using Virt.Supervisor.Capabilities;

namespace Virt.Actors.Hosting;

/// <summary>ActorRegistry key of /user/domains; inject <c>IRequiredActor&lt;DomainRegistry&gt;</c>.</summary>
public sealed class DomainRegistry;

/// <summary>Akka.Hosting registration of the domain actor family.</summary>
public static class DomainActorsHosting
{
    /// <summary>Name of the registry actor under /user.</summary>
    public const string RegistryName = "domains";

    /// <summary>
    /// Starts /user/domains on the settings' paths. The config directory is checked (owner, mode) while the
    /// actor system starts, so a bad one fails the host start with the reason. Running domains are
    /// reconnected, then autostart domains started.
    /// </summary>
    /// <param name="capabilities">A probe cache the caller shares (e.g. to time a probe itself); a new one by default.</param>
    /// <param name="store">The config store, opened (and its scan started) ahead by the caller; opened here by default.</param>
    public static AkkaConfigurationBuilder WithDomainActors(this AkkaConfigurationBuilder builder, VirtRuntimeSettings settings,
        CapabilitiesCache? capabilities = null, ConfigStore? store = null) =>
        builder.WithActors((system, registry) =>
        {
            store ??= ConfigStore.Open(settings.Paths.ConfigDir);
            var actor = system.ActorOf(DomainRegistryActor.Props(store, new DomainRuntime(settings, capabilities)), RegistryName);
            registry.Register<DomainRegistry>(actor);
        });

    /// <summary>The registry on a config directory alone, with runtime files in the embed layout beside it.</summary>
    public static AkkaConfigurationBuilder WithDomainActors(this AkkaConfigurationBuilder builder, DomainRegistrySettings settings) =>
        builder.WithDomainActors(VirtRuntimeSettings.ForConfigDirectory(settings.ConfigDirectory));
}
