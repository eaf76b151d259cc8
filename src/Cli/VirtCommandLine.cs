using System.CommandLine;
using Virt.Cli.Commands;
using Virt.Cli.Companion;

namespace Virt.Cli;

/// <summary>The `virt` root command with every subcommand registered, and the one entry point that runs a command line.</summary>
internal static class VirtCommandLine
{
    public static RootCommand Create(CliContext context)
    {
        var root = new RootCommand("virt: manage QEMU virtual machines the way virsh does")
        {
            GlobalOptions.Connect,
            GlobalOptions.Json,
            GlobalOptions.Quiet,
            ListCommand.Create(context),
            DefineCommands.CreateDefine(context),
            EditCommand.Create(context),
            ScreenshotCommand.Create(context),
            StartCommands.CreateCreate(context),
            StartCommands.CreateStart(context),
            DefineCommands.CreateAutostart(context),
            MigrateCommand.Create(context),
            EventCommand.Create(context),
            InfoCommands.CreateVersion(context),
            InfoCommands.CreateUri(context),
            DomxmlToNativeCommand.Create(context),
            DomxmlFromNativeCommand.Create(context),
            QemuMonitorVerb.Create(context),
            RunCommand.Create(context),
            QemuAttachCommand.Create(context),
            TestGuestImageCommand.Create(context),
            ConsoleCommand.Create(context),
        };
        IEnumerable<Command>[] groups =
        [
            LifecycleCommands.Create(context), DomainQueryCommands.Create(context), StatsCommands.Create(context),
            ResourceCommands.Create(context), SaveCommands.Create(context), JobCommands.Create(context), DeviceCommands.Create(context),
            InterfaceCommands.Create(context), SnapshotCommands.Create(context),
        ];
        foreach (var command in groups.SelectMany(g => g))
            root.Add(command);
        return root;
    }

    /// <summary>Parses and runs; a usage error is one "error: ..." line per problem and exit 1, like virsh.</summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken ct = default)
    {
        var parse = Create(context).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                await context.Error.WriteLineAsync("error: " + error.Message);
            if (parse.GetValue(GlobalOptions.Json))
                await context.Out.WriteAsync(Output.JsonOutput.Error(ExitCodes.UsageCode, parse.Errors[0].Message));
            return ExitCodes.Failure;
        }
        // `run` handles its signals itself (destroy, then exit): System.CommandLine's own SIGINT/SIGTERM handling would end
        // the process after its grace period with the VM still running.
        var ownSignals = parse.CommandResult.Command.Name == RunCommand.Name;
        if (CompanionHandover.Needed(parse, context))
        {
            var failure = CompanionHandover.Exec(args, context.Environment, ownSignals);
            await context.Error.WriteLineAsync("error: " + failure.Message);
            return ExitCodes.Failure;
        }
        return await parse.InvokeAsync(new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            ProcessTerminationTimeout = ownSignals ? null : TimeSpan.FromSeconds(2),
        }, ct);
    }
}
