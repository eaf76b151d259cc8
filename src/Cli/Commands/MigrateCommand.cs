using System.CommandLine;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>`virt migrate DOM NODE`: moves a running domain to another node of the cluster (a shut-off one's config with --offline --persistent).</summary>
internal static class MigrateCommand
{
    private static readonly Argument<string> Domain = DomainArgument.Create();
    private static readonly Argument<string> Node = new("node") { Description = "The cluster node to move the domain to" };
    private static readonly Option<bool> Live = new("--live") { Description = "Keep the guest running while its memory is copied (else it is paused first)" };
    private static readonly Option<bool> Offline = new("--offline") { Description = "Move the config of a shut-off domain" };
    private static readonly Option<bool> Persistent = new("--persistent") { Description = "Keep the domain persistent on the destination" };
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "Print the migration's progress" };
    private static readonly Option<int?> Timeout = new("--timeout")
    {
        Description = "Suspend the guest if the live migration still runs after this many seconds, so it completes",
        HelpName = "SECONDS",
    };
    private static readonly Option<bool> UndefineSource = new("--undefinesource")
    {
        Description = "Undefine the domain on the source (always so in a cluster, where a domain lives on one node)",
    };

    public static MigrateDomain Request(ParseResult parse)
    {
        var flags = DomainMigrateFlags.None;
        foreach (var (option, flag) in new[]
        {
            (Live, DomainMigrateFlags.Live), (Offline, DomainMigrateFlags.Offline),
            (Persistent, DomainMigrateFlags.Persistent), (UndefineSource, DomainMigrateFlags.UndefineSource),
        })
            if (parse.GetValue(option))
                flags |= flag;
        return new MigrateDomain(DomainArgument.Get(parse, Domain), parse.GetValue(Node)!, flags, parse.GetValue(Timeout));
    }

    public static Command Create(CliContext context)
    {
        var command = new Command("migrate", "Move a domain to another node of the cluster") { Domain, Node, Live, Offline, Persistent, UndefineSource, Verbose, Timeout };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            await using var connection = await run.ConnectAsync(ct);
            var request = Request(parse);
            var summary = await JobCommands.WatchAsync(run, connection, request.Domain, "Migration", parse.GetValue(Verbose),
                () => connection.CallAsync<DomainSummary>(request, ct), ct);
            // virsh migrate prints nothing on success; --json says where the domain is now.
            await run.WriteAsync(() => "", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
