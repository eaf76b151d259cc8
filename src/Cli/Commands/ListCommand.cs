using System.CommandLine;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Cli.Commands;

/// <summary>`virt list`: virsh's filters and table (or bare names, UUIDs, ids).</summary>
internal static class ListCommand
{
    private static readonly Option<bool> All = new("--all") { Description = "List inactive and active domains" };
    private static readonly Option<bool> Inactive = new("--inactive") { Description = "List inactive domains" };
    private static readonly Option<bool> Persistent = new("--persistent") { Description = "List persistent domains" };
    private static readonly Option<bool> Transient = new("--transient") { Description = "List transient domains" };
    private static readonly Option<bool> Autostart = new("--autostart") { Description = "List domains with autostart enabled" };
    private static readonly Option<bool> NoAutostart = new("--no-autostart") { Description = "List domains with autostart disabled" };
    private static readonly Option<bool> StateRunning = new("--state-running") { Description = "List domains in running state" };
    private static readonly Option<bool> StatePaused = new("--state-paused") { Description = "List domains in paused state" };
    private static readonly Option<bool> StateShutoff = new("--state-shutoff") { Description = "List domains in shutoff state" };
    private static readonly Option<bool> StateOther = new("--state-other") { Description = "List domains in other states" };
    private static readonly Option<bool> Uuid = new("--uuid") { Description = "List UUIDs only (with --table: add a UUID column)" };
    private static readonly Option<bool> Name = new("--name") { Description = "List domain names only" };
    private static readonly Option<bool> Id = new("--id") { Description = "List domain ids only" };
    private static readonly Option<bool> Table = new("--table") { Description = "List as a table (the default)" };
    private static readonly Option<bool> Hosts = new("--hosts") { Description = "In a cluster: every node's domains, with a Host column" };
    private static readonly Option<string?> Host = new("--host") { Description = "In a cluster: the domains of node NODE", HelpName = "NODE" };

    public static Command Create(CliContext context)
    {
        var command = new Command("list", "List domains (active ones unless --all or --inactive)")
        {
            All, Inactive, Persistent, Transient, Autostart, NoAutostart,
            StateRunning, StatePaused, StateShutoff, StateOther, Uuid, Name, Id, Table, Hosts, Host,
        };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, run => RunAsync(run, ct)));
        return command;
    }

    /// <summary>virsh's filter: active by default; --inactive or --state-shutoff switch to inactive; --all takes both.</summary>
    public static ListDomains Request(ParseResult parse)
    {
        var filter = ListDomainsFlags.Active;
        if (parse.GetValue(Inactive) || parse.GetValue(StateShutoff))
            filter = ListDomainsFlags.Inactive;
        if (parse.GetValue(All))
            filter = ListDomainsFlags.Active | ListDomainsFlags.Inactive;

        (Option<bool> Option, ListDomainsFlags Flag)[] filters =
        [
            (Persistent, ListDomainsFlags.Persistent), (Transient, ListDomainsFlags.Transient),
            (Autostart, ListDomainsFlags.Autostart), (NoAutostart, ListDomainsFlags.NoAutostart),
            (StateRunning, ListDomainsFlags.Running), (StatePaused, ListDomainsFlags.Paused),
            (StateShutoff, ListDomainsFlags.Shutoff), (StateOther, ListDomainsFlags.Other),
        ];
        foreach (var (option, flag) in filters)
            if (parse.GetValue(option))
                filter |= flag;
        return new ListDomains(filter, parse.GetValue(Hosts), parse.GetValue(Host));
    }

    public static ListView View(ParseResult parse)
    {
        var table = parse.GetValue(Table);
        if (table && (parse.GetValue(Name) || parse.GetValue(Id)))
            throw new UsageException("Options --table and --name are mutually exclusive; so are --table and --id");
        return ListView.From(table, parse.GetValue(Uuid), parse.GetValue(Name), parse.GetValue(Id));
    }

    private static async Task<int> RunAsync(Invocation run, CancellationToken ct)
    {
        var request = Request(run.Parse);
        var view = View(run.Parse);
        await using var connection = await run.ConnectAsync(ct);
        var domains = (await connection.CallAsync<DomainReplies.DomainList>(request, ct)).Domains;
        await run.WriteAsync(
            () => DomainText.List(domains, view, run.Headers),
            () => DomainJson.List(domains));
        return ExitCodes.Ok;
    }
}
