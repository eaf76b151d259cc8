using System.CommandLine;
using Virt.Cli.Companion;
using Virt.Host.Embedded;

namespace Virt.Cli.Commands;

/// <summary>`virt run FILE [--root DIR] [--verbose]`: one VM on an embedded runtime, until it shuts down (libvirt's virt-qemu-run).</summary>
internal static class RunCommand
{
    public const string Name = "run";

    private static readonly Argument<string> File = XmlFile.Create();
    private static readonly Option<string?> Root = new("--root")
    {
        Description = "Keep the runtime's tree (configs, status, logs) in DIR; default: a temporary directory removed afterwards",
        HelpName = "DIR",
    };
    private static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Log the runtime's debug messages" };
    private static readonly Option<bool> LeaveRunning = new("--leave-running")
    {
        Description = "Let the VM outlive this process (a signal or a crash of virt leaves it running; a run on the same --root reconnects)",
    };

    public static Command Create(CliContext context)
    {
        var command = new Command(Name, "Run one VM from an XML file in this process until it shuts down; a signal (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT) destroys it")
        {
            File, Root, Verbose, LeaveRunning,
        };
        // EmbeddedRun reports its own errors and exit code; it is not a virsh verb, so no trailing blank line.
        // The native build has no runtime: it hands `run` to its companion before any action runs.
        if (InProcessRuntime.IsSupported)
            command.SetAction((parse, ct) =>
                new EmbeddedRun(context.Out, context.Error, parse.GetValue(Verbose), parse.GetValue(LeaveRunning)).RunAsync(parse.GetValue(File)!, parse.GetValue(Root), ct));
        return command;
    }
}
