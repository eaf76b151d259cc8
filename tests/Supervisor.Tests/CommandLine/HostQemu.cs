using System.Diagnostics;
using System.Text.RegularExpressions;
using Virt.Supervisor.Capabilities;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>The installed qemu-system-x86_64 and qemu-img, for tests that run the real thing.</summary>
internal static partial class HostQemu
{
    public const string Emulator = "/usr/bin/qemu-system-x86_64";

    private static readonly Lazy<QemuCapabilities> LazyCaps = new(ReadCaps);

    /// <summary>
    /// Capabilities read from `-machine help` (until the QMP probe is merged here); the Debian build has seccomp.
    /// </summary>
    public static QemuCapabilities Caps => LazyCaps.Value;

    public static void CreateImage(string path, string format, string size = "1M") =>
        Run("qemu-img", "create", "-q", "-f", format, path, size);

    private static QemuCapabilities ReadCaps()
    {
        var machines = new List<MachineType>();
        foreach (var line in Run(Emulator, "-machine", "help").Split('\n').Skip(1))
        {
            var match = MachineLine().Match(line);
            if (!match.Success)
                continue;
            var alias = match.Groups["target"].Success ? match.Groups["name"].Value : null;
            var name = alias is null ? match.Groups["name"].Value : match.Groups["target"].Value;
            // An alias line and the machine's own line both describe one machine; merge them.
            var known = machines.FindIndex(m => m.Name == name);
            var isDefault = line.Contains("(default)");
            if (known < 0)
                machines.Add(new MachineType(name, alias, isDefault, 255, line.Contains("deprecated")));
            else
                machines[known] = machines[known] with { Alias = machines[known].Alias ?? alias, IsDefault = machines[known].IsDefault || isDefault };
        }
        return new QemuCapabilities
        {
            EmulatorPath = Emulator,
            Version = new Version(7, 2),
            Machines = machines,
            Accelerators = ["tcg"],
            SupportsSandbox = true,
        };
    }

    private static string Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
        return output.Result;
    }

    [GeneratedRegex(@"^(?<name>\S+)\s+.*?(\(alias of (?<target>[^)]+)\))?\s*(\(default\))?\s*$")]
    private static partial Regex MachineLine();
}
