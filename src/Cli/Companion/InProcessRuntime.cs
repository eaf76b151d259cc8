using System.Diagnostics.CodeAnalysis;

namespace Virt.Cli.Companion;

/// <summary>
/// Whether this `virt` can host a runtime itself (`virt run`, qemu:///embed, qemu+akka://): true in the JIT build,
/// false in the native one, whose AOT compiler then drops every path into Akka.NET and the host.
/// </summary>
internal static class InProcessRuntime
{
    public const string Switch = "Virt.Cli.InProcessRuntime.IsSupported";

    [FeatureSwitchDefinition(Switch)]
    public static bool IsSupported => !AppContext.TryGetSwitch(Switch, out var on) || on;
}
