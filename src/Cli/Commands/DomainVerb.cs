using System.CommandLine;
using Virt.Protocol.Api;
using Virt.Protocol.Client;

namespace Virt.Cli.Commands;

/// <summary>A verb on one domain: its DOM argument, its own arguments and options, a connection, then its body.</summary>
internal static class DomainVerb
{
    public delegate Task Body(Invocation run, VirtConnection connection, DomainRef domain, CancellationToken ct);

    public static Command Create(CliContext context, string name, string description, Symbol[] symbols, Body body)
    {
        var domain = DomainArgument.Create();
        var command = new Command(name, description) { domain };
        foreach (var symbol in symbols)
        {
            if (symbol is Argument argument)
                command.Add(argument);
            else if (symbol is Option option)
                command.Add(option);
        }
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var dom = DomainArgument.Get(parse, domain);
            await using var connection = await run.ConnectAsync(ct);
            await body(run, connection, dom, ct);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
