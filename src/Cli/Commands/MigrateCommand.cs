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
        return new MigrateDomain(DomainArgument.Get(parse, Domain), parse.GetValue(Node)!, flags);
    }

    public static Command Create(CliContext context)
    {
        var command = new Command("migrate", "Move a domain to another node of the cluster") { Domain, Node, Live, Offline, Persistent, UndefineSource };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(Request(parse), ct);
            // virsh migrate prints nothing on success; --json says where the domain is now.
            await run.WriteAsync(() => "", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
