using System.CommandLine;
using Virt.Protocol.Domains;
using Virt.Supervisor.Attach;

namespace Virt.Cli.Commands;

/// <summary>`virt domxml-from-native qemu-argv FILE`: the domain XML a QEMU command line (libvirt's .args form) means.</summary>
internal static class DomxmlFromNativeCommand
{
    public static Command Create(CliContext context)
    {
        var format = new Argument<string>("format") { Description = $"The native format; only {DomxmlToNativeCommand.Format}" };
        format.AcceptOnlyFromAmong(DomxmlToNativeCommand.Format);
        var file = new Argument<string>("file") { Description = "A file holding a QEMU command line (VAR=value prefixes and quotes allowed)" };
        var command = new Command("domxml-from-native", "Convert a QEMU command line to domain XML")
        {
            format,
            file,
        };
        command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, async run =>
        {
            var path = parse.GetValue(file)!;
            await run.WriteAsync(Convert(await File.ReadAllTextAsync(path, ct), Path.GetFileNameWithoutExtension(path)));
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The XML for a command line; a domain without -name is named after the file.</summary>
    public static string Convert(string commandLine, string fallbackName)
    {
        var argv = ShellWords.Parse(commandLine).Argv;
        if (argv.Count == 0)
            throw new Virt.Protocol.Errors.VirtException(Virt.Protocol.Errors.ErrorCode.ConfigUnsupported, "the file holds no command line");
        var xml = DomainXml.Format(QemuArgvParser.Parse(argv, fallbackName).Definition);
        return xml.EndsWith('\n') ? xml : xml + "\n";
    }
}
