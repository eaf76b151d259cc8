using System.CommandLine;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>`virt start DOM` and `virt create FILE`: run a domain, optionally paused or tied to this connection.</summary>
internal static class StartCommands
{
    private const string AutodestroyHelp =
        "Destroy the domain when this virt process closes its connection; as with virsh, that is right after the command " +
        "returns, so the domain dies at once: the flag is for programs that keep their connection open";

    private static readonly Argument<string> Domain = DomainArgument.Create();
    private static readonly Argument<string> File = XmlFile.Create();
    private static readonly Option<bool> Paused = new("--paused") { Description = "Leave the guest paused after starting it" };
    private static readonly Option<bool> Autodestroy = new("--autodestroy") { Description = AutodestroyHelp };

    public static DomainCreateFlags Flags(bool paused, bool autodestroy) =>
        (paused ? DomainCreateFlags.StartPaused : DomainCreateFlags.None)
        | (autodestroy ? DomainCreateFlags.Autodestroy : DomainCreateFlags.None);

    /// <summary>As virsh start: the domain by name or UUID only, since only an inactive domain can start and it has no id.</summary>
    public static StartDomain StartRequest(ParseResult parse) =>
        new(DomainRef.FromText(parse.GetValue(Domain)!, allowId: false), Flags(parse.GetValue(Paused), parse.GetValue(Autodestroy)));

    private static readonly Option<string?> Host = HostOption.Create("run it on");

    public static async Task<CreateDomain> CreateRequestAsync(ParseResult parse, CancellationToken ct) =>
        new(await XmlFile.ReadAsync(parse.GetValue(File)!, ct),
            Flags(parse.GetValue(Paused), parse.GetValue(Autodestroy)), parse.GetValue(Host));

    public static Command CreateStart(CliContext context)
    {
        var command = new Command("start", "Start a (previously defined) inactive domain") { Domain, Paused, Autodestroy };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var request = StartRequest(parse);
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(request, ct);
            await run.WriteAsync(() => $"Domain '{summary.Name}' started\n", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateCreate(CliContext context)
    {
        var command = new Command("create", "Create and start a transient domain from an XML file") { File, Paused, Autodestroy, Host };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var request = await CreateRequestAsync(parse, ct);
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(request, ct);
            await run.WriteAsync(() => $"Domain '{summary.Name}' created{HostOption.OnNode(summary)} from {parse.GetValue(File)}\n", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
