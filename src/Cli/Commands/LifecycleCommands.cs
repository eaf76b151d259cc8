using System.CommandLine;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>The verbs that take one domain, change its state and say so in virsh's words.</summary>
internal static class LifecycleCommands
{
    /// <summary>One verb: its name, help, the command it sends and virsh's sentence with {0} for the domain name.</summary>
    private sealed record Verb(string Name, string Description, Func<DomainRef, ParseResult, IWriteCommand> Request, string Message)
    {
        public Option[] Options { get; init; } = [];

        public Verb(string name, string description, Func<DomainRef, IWriteCommand> request, string message)
            : this(name, description, (d, _) => request(d), message)
        {
        }
    }

    private static readonly Option<bool> Graceful = new("--graceful")
    {
        Description = "Terminate QEMU with SIGTERM only and fail rather than SIGKILL it",
    };

    private static readonly Option<bool> RemoveNvram = new("--nvram") { Description = "Remove the UEFI variable store too" };
    private static readonly Option<bool> KeepNvram = new("--keep-nvram") { Description = "Keep the UEFI variable store" };
    private static readonly Option<bool> RemoveTpm = new("--tpm") { Description = "Remove the emulated TPM's state, even one marked persistent_state" };
    private static readonly Option<bool> KeepTpm = new("--keep-tpm") { Description = "Keep the emulated TPM's state" };

    private static DomainUndefineFlags UndefineFlags(ParseResult parse) =>
        (parse.GetValue(RemoveNvram) ? DomainUndefineFlags.Nvram : 0) | (parse.GetValue(KeepNvram) ? DomainUndefineFlags.KeepNvram : 0)
        | (parse.GetValue(RemoveTpm) ? DomainUndefineFlags.Tpm : 0) | (parse.GetValue(KeepTpm) ? DomainUndefineFlags.KeepTpm : 0);

    private static readonly Verb[] Verbs =
    [
        new("shutdown", "Gracefully shut down a domain (ACPI power button)", d => new ShutdownDomain(d), "Domain '{0}' is being shutdown"),
        new("reboot", "Reboot a domain (the guest is asked to restart)", d => new RebootDomain(d), "Domain '{0}' is being rebooted"),
        new("reset", "Reset a domain, like pressing the reset button; the guest is not asked", d => new ResetDomain(d), "Domain '{0}' was reset"),
        new("destroy", "Destroy (stop at once) a domain", (d, parse) => new DestroyDomain(d,
            parse.GetValue(Graceful) ? DomainDestroyFlags.Graceful : DomainDestroyFlags.None), "Domain '{0}' destroyed")
        {
            Options = [Graceful],
        },
        new("suspend", "Suspend (pause) a domain's vCPUs", d => new SuspendDomain(d), "Domain '{0}' suspended"),
        new("resume", "Resume a suspended domain", d => new ResumeDomain(d), "Domain '{0}' resumed"),
        new("undefine", "Undefine a domain; a running one keeps running as transient", (d, parse) => new UndefineDomain(d, UndefineFlags(parse)),
            "Domain '{0}' has been undefined")
        {
            Options = [RemoveNvram, KeepNvram, RemoveTpm, KeepTpm],
        },
    ];

    public static IEnumerable<Command> Create(CliContext context) => Verbs.Select(verb => Create(context, verb));

    /// <summary>The command a parsed lifecycle verb sends.</summary>
    public static IWriteCommand Request(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var verb = Verbs.Single(v => v.Name == command.Name);
        return verb.Request(DomainArgument.Get(parse, (Argument<string>)command.Arguments[0]), parse);
    }

    private static Command Create(CliContext context, Verb verb)
    {
        var domain = DomainArgument.Create();
        var command = new Command(verb.Name, verb.Description) { domain };
        foreach (var option in verb.Options)
            command.Add(option);
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var request = Request(parse);
            await using var connection = await run.ConnectAsync(ct);
            var summary = await connection.CallAsync<DomainSummary>(request, ct);
            await run.WriteAsync(() => string.Format(verb.Message, summary.Name) + "\n", () => DomainJson.Summary(summary));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
