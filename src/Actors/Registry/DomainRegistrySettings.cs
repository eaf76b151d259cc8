namespace Virt.Actors.Registry;

/// <summary>Where the registry keeps persistent configs (see ARCHITECTURE.md "Paths").</summary>
public sealed record DomainRegistrySettings(string ConfigDirectory);
