using System.CommandLine;
using System.Reflection;
using Virt.Cli.Output;

namespace Virt.Cli.Commands;

/// <summary>`virt version` and `virt uri`: what this client is and where it connects.</summary>
internal static class InfoCommands
{
    /// <summary>The client's version from its assembly (informational version without the build metadata).</summary>
    public static string ClientVersion =>
        (typeof(InfoCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(InfoCommands).Assembly.GetName().Version?.ToString() ?? "0.0.0").Split('+')[0];

    public static Command CreateVersion(CliContext context)
    {
        var command = new Command("version", "Show the virt version");
        command.SetAction((parse, _) => Invocation.RunAsync(context, parse, async run =>
        {
            await run.WriteAsync(
                () => $"Compiled against library: virt {ClientVersion}\nUsing library: virt {ClientVersion}\n",
                () => JsonOutput.Document(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("client", ClientVersion);
                    w.WriteEndObject();
                }));
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateUri(CliContext context)
    {
        var command = new Command("uri", "Print the connection URI after connecting to it");
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            // Connecting, as virsh does, makes `virt uri` also answer "is the runtime there?".
            await using var connection = await run.ConnectAsync(ct);
            await run.WriteAsync(() => connection.Uri + "\n", () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                w.WriteString("uri", connection.Uri.ToString());
                w.WriteEndObject();
            }));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
