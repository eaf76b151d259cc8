using System.CommandLine;
using Virt.Cli.Commands;

namespace Virt.Cli;

/// <summary>The `virt` root command with every subcommand registered.</summary>
internal static class VirtCommandLine
{
    public static RootCommand Create() => new("virt: manage QEMU virtual machines the way virsh does")
    {
        DomxmlToNativeCommand.Create(),
    };
}
