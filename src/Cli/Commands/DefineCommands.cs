using System.CommandLine;
using Virt.Cli.Output;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>`virt define FILE` and `virt autostart DOM [--disable]`: the persistent side of a domain.</summary>
internal static class DefineCommands
{
    private static readonly Argument<string> File = XmlFile.Create();
    private static readonly Argument<string> Domain = DomainArgument.Create();
    private static readonly Option<bool> Disable = new("--disable") { Description = "Turn autostart off" };
    private static readonly Option<string?> Host = HostOption.Create("define it on");

    public static SetAutostart AutostartRequest(ParseResult parse) =>
        new(DomainArgument.Get(parse, Domain), Enabled: !parse.GetValue(Disable));

    public static Command CreateDefine(CliContext context)
    {
        var command = new Command("define", "Define (but do not start) a persistent domain from an XML file") { File, Host };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var file = parse.GetValue(File)!;
            var request = new DefineDomain(await XmlFile.ReadAsync(file, ct), parse.GetValue(Host));
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(request, ct);
            await run.WriteAsync(() => $"Domain '{summary.Name}' defined{HostOption.OnNode(summary)} from {file}\n", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateAutostart(CliContext context)
    {
        var command = new Command("autostart", "Start the domain when the runtime starts") { Domain, Disable };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var request = AutostartRequest(parse);
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(request, ct);
            var verb = request.Enabled ? "marked" : "unmarked";
            await run.WriteAsync(() => $"Domain '{summary.Name}' {verb} as autostarted\n", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
