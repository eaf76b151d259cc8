using System.CommandLine;
using System.Text.Json;
using Virt.Cli.Output;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainReplies;
using Monitor = Virt.Protocol.Api.DomainCommands.QemuMonitorCommand;

namespace Virt.Cli.Commands;

/// <summary>`virt qemu-monitor-command DOM [--pretty] [--return-value] JSON...`: one raw QMP command (taints the domain).</summary>
internal static class QemuMonitorVerb
{
    private static readonly Argument<string> Domain = DomainArgument.Create();
    private static readonly Argument<string[]> Cmd = new("command")
    {
        Description = "The QMP command as JSON, e.g. '{\"execute\":\"query-status\"}' (several words are joined with spaces)",
        Arity = ArgumentArity.OneOrMore,
    };
    private static readonly Option<bool> Pretty = new("--pretty") { Description = "Indent the reply" };
    private static readonly Option<bool> ReturnValue = new("--return-value") { Description = "Print only the value of the reply's \"return\"" };

    public static Monitor Request(ParseResult parse)
    {
        var json = string.Join(' ', parse.GetValue(Cmd)!);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("execute", out _))
                throw new UsageException("the monitor command must be a JSON object with \"execute\" (QMP); HMP is not supported");
        }
        catch (JsonException e)
        {
            throw new UsageException("the monitor command is not valid JSON: " + e.Message);
        }
        return new Monitor(DomainArgument.Get(parse, Domain), json);
    }

    /// <summary>virsh prints QEMU's reply as it came, or indented with --pretty, or only its "return" value.</summary>
    public static string Format(string reply, bool pretty, bool returnValue)
    {
        using var doc = JsonDocument.Parse(reply);
        var value = doc.RootElement;
        if (returnValue && !value.TryGetProperty("return", out value))
            throw new VirtException(ErrorCode.OperationFailed, "the monitor reply has no \"return\": " + reply);
        var indented = JsonOutput.Document(w => value.WriteTo(w));
        return pretty ? indented : JsonOutput.Line(w => value.WriteTo(w));
    }

    public static Command Create(CliContext context)
    {
        var command = new Command("qemu-monitor-command", "Send a QMP command to the domain's QEMU; the domain is marked tainted")
        {
            Domain, Cmd, Pretty, ReturnValue,
        };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var request = Request(parse);
            await using var connection = await run.ConnectAsync(ct);
            var reply = await connection.CallAsync<QemuMonitorReply>(request, ct);
            await run.WriteAsync(Format(reply.Json, parse.GetValue(Pretty) || run.Json, parse.GetValue(ReturnValue)));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
