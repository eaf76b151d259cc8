using System.CommandLine;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSaves;

namespace Virt.Cli.Commands;

/// <summary>virsh's save, restore, managedsave and managedsave-remove, with its messages.</summary>
internal static class SaveCommands
{
    public static IEnumerable<Command> Create(CliContext context) => [Save(context), ManagedSave(context), ManagedSaveRemove(context), Restore(context)];

    private static (Option<bool> Running, Option<bool> Paused) StateOptions() =>
        (new Option<bool>("--running") { Description = "Run the guest when it is restored" },
         new Option<bool>("--paused") { Description = "Leave the guest paused when it is restored" });

    private static Option<bool> VerboseOption() => new("--verbose") { Description = "Print the save's progress" };

    private static DomainSaveFlags Flags(ParseResult parse, (Option<bool> Running, Option<bool> Paused) o)
    {
        var (running, paused) = (parse.GetValue(o.Running), parse.GetValue(o.Paused));
        if (running && paused)
            throw new UsageException("Options --running and --paused are mutually exclusive");
        return (running ? DomainSaveFlags.Running : 0) | (paused ? DomainSaveFlags.Paused : 0);
    }

    private static Command Save(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "Where the state goes (on the daemon's host)" };
        var state = StateOptions();
        var bypass = new Option<bool>("--bypass-cache") { Description = "Accepted for virsh's sake; the image is written through the page cache" };
        var verbose = VerboseOption();
        return DomainVerb.Create(context, "save", "Save a running domain's state to a file and stop it", [file, state.Running, state.Paused, bypass, verbose],
            async (run, connection, dom, ct) =>
            {
                var path = Path.GetFullPath(run.Parse.GetValue(file)!);
                var flags = Flags(run.Parse, state);
                var d = await JobCommands.WatchAsync(run, connection, dom, "Save", run.Parse.GetValue(verbose),
                    () => connection.CallAsync<DomainSummary>(new SaveDomain(dom, path, flags), ct), ct);
                await run.WriteAsync(() => $"\nDomain '{d.Name}' saved to {path}\n", () => Output.JsonOutput.Document(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("saved", path);
                    w.WriteEndObject();
                }));
            });
    }

    private static Command ManagedSave(CliContext context)
    {
        var state = StateOptions();
        var verbose = VerboseOption();
        return DomainVerb.Create(context, "managedsave", "Save a running domain's state where its next start restores it", [state.Running, state.Paused, verbose],
            async (run, connection, dom, ct) =>
            {
                var flags = Flags(run.Parse, state);
                var d = await JobCommands.WatchAsync(run, connection, dom, "Managedsave", run.Parse.GetValue(verbose),
                    () => connection.CallAsync<DomainSummary>(new ManagedSaveDomain(dom, flags), ct), ct);
                await run.WriteAsync(() => $"\nDomain '{d.Name}' state saved by libvirt\n", () => "{}\n");
            });
    }

    private static Command ManagedSaveRemove(CliContext context) =>
        DomainVerb.Create(context, "managedsave-remove", "Drop a domain's managed save image, so it boots at its next start", [],
            async (run, connection, dom, ct) =>
            {
                var info = await connection.CallAsync<DomainInfo>(new DomainCommands.GetDomainInfo(dom), ct);
                if (!info.HasManagedSave)
                {
                    await run.WriteAsync(() => $"Domain '{info.Domain.Name}' has no manage save image; removal skipped", () => "{}\n");
                    return;
                }
                await connection.CallAsync<DomainSummary>(new RemoveManagedSave(dom), ct);
                await run.WriteAsync(() => $"Removed managedsave image for domain '{info.Domain.Name}'", () => "{}\n");
            });

    private static Command Restore(CliContext context)
    {
        var file = new Argument<string>("file") { Description = "A save image (on the daemon's host)" };
        var state = StateOptions();
        var command = new Command("restore", "Start a domain from the state a save image holds") { file, state.Running, state.Paused };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var path = Path.GetFullPath(parse.GetValue(file)!);
            await using var connection = await run.ConnectAsync(ct);
            await connection.CallAsync<DomainSummary>(new RestoreDomain(path, Flags(parse, state)), ct);
            await run.WriteAsync(() => $"Domain restored from {path}\n", () => Output.JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                w.WriteString("restored", path);
                w.WriteEndObject();
            }));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
