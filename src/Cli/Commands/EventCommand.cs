using System.CommandLine;
using Virt.Cli.Output;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;

namespace Virt.Cli.Commands;

/// <summary>`virt event [DOM] --all|--event TYPE [--loop] [--timeout S] [--timestamp]`, virsh's event watcher.</summary>
internal static class EventCommand
{
    private static readonly Argument<string?> Domain = new("domain")
    {
        Description = "Only events of this domain (name, id or UUID)",
        Arity = ArgumentArity.ZeroOrOne,
    };
    private static readonly Option<string?> Event = new("--event") { Description = "Which event type to wait for: lifecycle, reboot, device-added, device-removed", HelpName = "TYPE" };
    private static readonly Option<bool> All = new("--all") { Description = "Wait for all event types" };
    private static readonly Option<bool> Loop = new("--loop") { Description = "Loop until timeout or interrupt, rather than one-shot" };
    private static readonly Option<int?> Timeout = new("--timeout") { Description = "Stop after this many seconds", HelpName = "SECONDS" };
    private static readonly Option<bool> Timestamp = new("--timestamp") { Description = "Show a UTC timestamp before each event" };
    private static readonly Option<bool> List = new("--list") { Description = "List the event types" };

    public static Command Create(CliContext context)
    {
        var command = new Command("event", "Wait for domain events and print them (one, or with --loop until timeout or Ctrl-C)")
        {
            Domain, Event, All, Loop, Timeout, Timestamp, List,
        };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, run => RunAsync(run, ct)));
        return command;
    }

    /// <summary>virsh's rules for the options, then the subscription they ask for.</summary>
    public static EventSubscription Request(ParseResult parse)
    {
        var all = parse.GetValue(All);
        var name = parse.GetValue(Event);
        if (all && name is not null)
            throw new UsageException("Options --all and --event are mutually exclusive");
        if (!all && name is null)
            throw new UsageException("one of --list, --all, or --event <type> is required");
        if (name is not null && !EventText.Names.Contains(name))
            throw new UsageException($"unsupported event type '{name}': Virt reports {string.Join(", ", EventText.Names)} events");
        if (parse.GetValue(Timeout) is <= 0)
            throw new UsageException("--timeout must be a positive number of seconds");
        var domain = parse.GetValue(Domain) is { } text ? Virt.Protocol.Api.DomainRef.FromText(text) : null;
        // Every DomainEventType is a lifecycle type, so "lifecycle" and "all" both mean no type filter.
        return new EventSubscription(domain);
    }

    private static async Task<int> RunAsync(Invocation run, CancellationToken interrupt)
    {
        if (run.Parse.GetValue(List))
        {
            if (run.Parse.GetValue(All) || run.Parse.GetValue(Event) is not null)
                throw new UsageException("Option --list cannot be used with --all or --event");
            await run.WriteAsync(string.Concat(EventText.Names.Select(n => n + "\n")));
            return ExitCodes.Ok;
        }

        var subscription = Request(run.Parse);
        var options = new EventLoopOptions(run.Parse.GetValue(Loop), run.Parse.GetValue(Timestamp), run.Json);
        await using var connection = await run.ConnectAsync(interrupt);
        using var timeout = new CancellationTokenSource();
        if (run.Parse.GetValue(Timeout) is { } seconds)
            timeout.CancelAfter(TimeSpan.FromSeconds(seconds));

        // Subscribed (confirmed by the runtime) before the wait starts, so nothing after this point is missed.
        var wanted = run.Parse.GetValue(Event);
        var events = Only(await connection.SubscribeAllEventsAsync(subscription, interrupt), wanted);
        var result = await EventLoop.RunAsync(events, options, run.Context.Out, run.Context.Clock, timeout.Token, interrupt);
        if (result.End == EventLoopEnd.ConnectionClosed)
            throw new VirtException(ErrorCode.Rpc, $"the connection to {connection.Uri} closed");
        // virsh counts a wait that saw no event as a failure, with no message of its own.
        return result.Count > 0 ? ExitCodes.Ok : ExitCodes.Failure;
    }

    /// <summary>The events of the type asked for with --event; all of them with --all.</summary>
    /// <remarks>The loop's timeout reaches the stream through the enumerator's token.</remarks>
    private static async IAsyncEnumerable<object> Only(IAsyncEnumerable<object> events, string? type,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var e in events.WithCancellation(ct).ConfigureAwait(false))
        {
            if (type is null || EventText.NameOf(e) == type)
                yield return e;
        }
    }
}
