using System.CommandLine;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Supervisor.Consoles;

namespace Virt.Cli.Commands;

/// <summary>
/// `virt console DOM [DEVNAME] [--force] [--safe]`: the guest's serial console, as virsh's: the terminal raw while it
/// runs, every byte to the guest but ^] (0x1D), which detaches (exit 0). Without a terminal (a pipe) it works the same,
/// and the end of stdin ends the session as virsh's "EOF on stdin" does.
/// </summary>
internal static class ConsoleCommand
{
    /// <summary>virsh's default escape character, ^] (Ctrl + ]).</summary>
    public const byte EscapeByte = 0x1D;

    private static readonly Argument<string> Domain = DomainArgument.Create();
    private static readonly Argument<string?> DevName = new("devname")
    {
        Description = "The character device alias (serial0, console0, ...); the first console or serial by default",
        Arity = ArgumentArity.ZeroOrOne,
    };
    private static readonly Option<bool> Force = new("--force") { Description = "Take the console over from a session that holds it" };
    private static readonly Option<bool> Safe = new("--safe") { Description = "Only connect if safe console handling is supported (it always is)" };

    public static Command Create(CliContext context)
    {
        var command = new Command("console", "Connect to the guest's serial console; ^] leaves") { Domain, DevName, Force, Safe };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            await using var connection = await run.ConnectAsync(ct);
            var domain = await connection.LookupAsync(DomainArgument.Get(parse, Domain), ct);
            if (!domain.Active)
                throw new VirtException(ErrorCode.OperationInvalid, "The domain is not running");
            await using var console = await connection.OpenConsoleAsync(
                new ConsoleCommands.OpenConsole(DomainRef.ByUuid(domain.Uuid), parse.GetValue(DevName), parse.GetValue(Force), parse.GetValue(Safe)), ct);
            await run.WriteAsync($"Connected to domain '{domain.Name}'\nEscape character is ^] (Ctrl + ])\n");
            await context.Out.FlushAsync(ct);
            using var raw = context.InputIsTerminal() ? RawTerminal.Enter(0) : null;
            await ConsolePump.RunAsync(console, context.OpenInput(), context.OpenOutput(), ct);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
