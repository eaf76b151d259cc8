using System.CommandLine;
using Virt.Cli.Companion;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.CommandLine;

namespace Virt.Cli.Commands;

/// <summary>`virt domxml-to-native qemu-argv FILE`: the QEMU command line a domain XML file would run, one argument a line.</summary>
internal static class DomxmlToNativeCommand
{
    public const string Name = "domxml-to-native";
    public const string Format = "qemu-argv";
    private const string DefaultEmulator = "qemu-system-x86_64";

    public static Command Create(CliContext context)
    {
        var format = new Argument<string>("format") { Description = $"The native format; only {Format}" };
        format.AcceptOnlyFromAmong(Format);
        var file = new Argument<FileInfo>("file") { Description = "A libvirt domain XML file" };
        var command = new Command(Name, "Print the QEMU command line for a domain XML file, one shell-quoted argument a line")
        {
            format,
            file,
        };
        // Probing QEMU needs the QEMU layer's reflection-based QMP writer, which the native build leaves to its companion.
        if (InProcessRuntime.IsSupported)
            command.SetAction((parse, ct) => Invocation.RunAsync(context, parse, run => RunAsync(parse.GetValue(file)!, run.Context.Out, ct)));
        return command;
    }

    private static async Task<int> RunAsync(FileInfo file, TextWriter output, CancellationToken ct)
    {
        var def = DomainXml.ParseFile(file.FullName);
        var emulator = def.Devices.Emulator ?? FindOnPath(DefaultEmulator)
            ?? throw new VirtException(ErrorCode.ConfigUnsupported, $"no <emulator> in {file.Name} and no {DefaultEmulator} on PATH");
        if (!File.Exists(emulator))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"emulator '{emulator}' does not exist");
        var caps = await CapabilitiesProbe.ProbeAsync(emulator, ct);
        var runtime = Path.Combine(RuntimeDirectory(), "domain-" + def.Name);
        var line = QemuArgvBuilder.Build(def, caps, new QemuArgvContext(Path.Combine(runtime, "monitor.sock"), runtime).WithTapPlaceholders(def));

        await output.WriteLineAsync(QemuCommandLine.ShellQuote(line.Emulator));
        foreach (var argument in line.Arguments)
            await output.WriteLineAsync(QemuCommandLine.ShellQuote(argument));
        return ExitCodes.Ok;
    }

    /// <summary>Where a session daemon would put this domain's sockets; a placeholder, nothing is created.</summary>
    private static string RuntimeDirectory() =>
        Environment.UserName == "root" ? "/run/virt/qemu"
        : Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } xdg ? Path.Combine(xdg, "virt", "qemu")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "virt", "run", "qemu");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
