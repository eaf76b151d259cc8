using Virt.Protocol.Connection;

namespace Virt.Cli;

/// <summary>Which runtime a command talks to: -c wins, then VIRT_DEFAULT_URI, then qemu:///session (virsh's order).</summary>
internal static class ConnectionUri
{
    public const string EnvironmentVariable = "VIRT_DEFAULT_URI";

    public static string ResolveText(string? connectOption, Func<string, string?> environment) =>
        !string.IsNullOrEmpty(connectOption) ? connectOption
        : environment(EnvironmentVariable) is { Length: > 0 } fromEnv ? fromEnv
        : VirtUri.DefaultText;

    public static VirtUri Resolve(string? connectOption, Func<string, string?> environment) =>
        VirtUri.Parse(ResolveText(connectOption, environment));
}
