using System.CommandLine;
using System.Net.Sockets;
using Virt.Cli.Output;
using Virt.Protocol.Client;
using Virt.Protocol.Connection;
using Virt.Protocol.Errors;

namespace Virt.Cli;

/// <summary>One run of one command: its context, the global options, and the connection when it needs one.</summary>
internal sealed class Invocation(CliContext context, ParseResult parse)
{
    public CliContext Context { get; } = context;
    public ParseResult Parse { get; } = parse;
    public bool Json { get; } = parse.GetValue(GlobalOptions.Json);
    public bool Quiet { get; } = parse.GetValue(GlobalOptions.Quiet);

    /// <summary>virsh prints table headers unless quiet.</summary>
    public bool Headers => !Quiet;

    public VirtUri Uri => ConnectionUri.Resolve(Parse.GetValue(GlobalOptions.Connect), Context.Environment);

    public Task WriteAsync(string text) => Context.Out.WriteAsync(text);

    /// <summary>Text for people, or the JSON document with --json.</summary>
    public Task WriteAsync(Func<string> text, Func<string> json) => Context.Out.WriteAsync(Json ? json() : text());

    public async Task<VirtConnection> ConnectAsync(CancellationToken ct)
    {
        var uri = Uri;
        try
        {
            return await Context.Connect(uri, ct);
        }
        catch (Exception e) when (e is SocketException or IOException or TimeoutException)
        {
            throw new VirtException(ErrorCode.Rpc, $"failed to connect to {uri}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Runs a command body the virsh way: any failure is one "error: ..." line on stderr and exit 1 (with --json, also the
    /// JSON error object on stdout); then, unless quiet or JSON, the blank line virsh prints after every command.
    /// </summary>
    public static async Task<int> RunAsync(CliContext context, ParseResult parse, Func<Invocation, Task<int>> body)
    {
        var run = new Invocation(context, parse);
        int exit;
        try
        {
            exit = await body(run);
        }
        catch (Exception error)
        {
            await ReportAsync(context, run.Json, ExitCodes.CodeName(error), Message(error));
            exit = ExitCodes.For(error);
        }
        if (!run.Json && !run.Quiet)
            await context.Out.WriteAsync("\n");
        await context.Out.FlushAsync();
        return exit;
    }

    public static async Task ReportAsync(CliContext context, bool json, string code, string message)
    {
        await context.Error.WriteLineAsync("error: " + OneLine(message));
        if (json)
            await context.Out.WriteAsync(JsonOutput.Error(code, OneLine(message)));
    }

    private static string Message(Exception error) => error switch
    {
        OperationCanceledException => "interrupted",
        _ => error.Message,
    };

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
