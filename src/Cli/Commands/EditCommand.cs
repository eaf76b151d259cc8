using System.CommandLine;
using Virt.Cli.Editing;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>
/// `virt edit DOM`: the next start's XML (with its secrets, as virsh's edit reads it) in the user's editor, then
/// defined again; an unchanged file changes nothing, a refused one asks whether to edit again.
/// </summary>
internal static class EditCommand
{
    public const string ChangedMeanwhile = "The XML configuration was changed by another user.";
    public const string Failed = "Failed.";

    public static string NotChanged(DomainName name) => $"Domain '{name}' XML configuration not changed.\n";

    public static string Edited(DomainName name) => $"Domain '{name}' XML configuration edited.\n";

    public static Command Create(CliContext context)
    {
        var domain = DomainArgument.Create();
        var command = new Command("edit", "Edit the XML configuration of a domain in $VISUAL or $EDITOR, then define it") { domain };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var dom = DomainArgument.Get(parse, domain);
            await using var connection = await run.ConnectAsync(ct);
            return await EditAsync(run, connection, dom, ct);
        }));
        return command;
    }

    private static async Task<int> EditAsync(Invocation run, VirtConnection connection, DomainRef dom, CancellationToken ct)
    {
        var context = run.Context;
        var original = await ConfigAsync(connection, dom, ct);
        using var file = await PrivateTempFile.CreateAsync(context.Environment, original.Xml, ct);
        var editor = EditorCommand.For(EditorCommand.Editor(context.Environment), file.Path);
        var doc = original.Xml;
        var editAgain = true;
        string edited = doc;
        while (true)
        {
            if (editAgain)
            {
                await editor.RunAsync(ct);
                edited = await DomainXmlFile.ReadAsync(file.Path, ct);
                if (edited == doc)
                {
                    await Say(run, NotChanged(original.Name));
                    return ExitCodes.Ok;
                }
            }
            // Read it again: someone may have changed it while it was in the editor, and a define would undo that.
            var current = await ConfigAsync(connection, dom, ct);
            string message;
            if (current.Xml != doc)
            {
                message = ChangedMeanwhile;
                doc = current.Xml;
            }
            else
            {
                try
                {
                    var defined = await connection.CallAsync<DomainSummary>(new DefineDomain(edited), ct);
                    await Say(run, Edited(defined.Name));
                    return ExitCodes.Ok;
                }
                catch (VirtException e)
                {
                    await Invocation.ReportAsync(context, json: false, e.Code.WireName(), e.Message);
                    message = Failed;
                }
            }
            switch (await ReeditQuestion.AskAsync(message, context.Out, context.ReadKey ?? (() => -1)))
            {
                case ReeditAnswer.EditAgain:
                    editAgain = true;
                    break;
                case ReeditAnswer.Force:
                    editAgain = false;
                    break;
                default:
                    return ExitCodes.Failure;
            }
        }
    }

    private static Task<DomainXmlDescription> ConfigAsync(VirtConnection connection, DomainRef dom, CancellationToken ct) =>
        connection.CallAsync<DomainXmlDescription>(new GetDomainXml(dom, Inactive: true, Secure: true), ct);

    /// <summary>virsh prints these only when not quiet.</summary>
    private static Task Say(Invocation run, string text) => run.Quiet ? Task.CompletedTask : run.WriteAsync(text);
}
