using System.Collections.Concurrent;
using System.Reflection;
using Virt.Protocol.Api;

namespace Virt.Actors.Cluster;

/// <summary>The domain a command acts on: its <c>Domain</c> property, found once per command type.</summary>
public static class CommandTargets
{
    private static readonly ConcurrentDictionary<Type, PropertyInfo?> DomainProperties = new();

    public static DomainRef? Of(DomainCommands.IDomainCommand command) =>
        DomainProperties.GetOrAdd(command.GetType(), type => type.GetProperty("Domain") is { PropertyType: var t } p && t == typeof(DomainRef) ? p : null)
            ?.GetValue(command) as DomainRef;
}
