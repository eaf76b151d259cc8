using System.CommandLine;

namespace Virt.Cli;

/// <summary>Options every command takes, wherever they appear on the line (virsh's -c, -q, plus --json).</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Connect = new("--connect", "-c")
    {
        Description = $"Connection URI (default: ${ConnectionUri.EnvironmentVariable}, else qemu:///session)",
        HelpName = "URI",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the result as JSON for scripts (errors too, as {\"error\":{\"code\",\"message\"}})",
        Recursive = true,
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Quiet mode: no table headers and no blank line after the output",
        Recursive = true,
    };
}
