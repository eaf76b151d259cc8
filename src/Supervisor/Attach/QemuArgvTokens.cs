using Virt.Protocol.Errors;

namespace Virt.Supervisor.Attach;

/// <summary>One option as it appeared on the command line: its name without dashes, its value, and the verbatim tokens.</summary>
internal sealed record ArgvOption(string Name, string? Value, int Position, IReadOnlyList<string> Tokens);

/// <summary>Splits a QEMU argv into options, knowing which QEMU options are flags and which take a value.</summary>
internal static class QemuArgvTokens
{
    /// <summary>QEMU options that take no value (qemu-options.hx, HAS_ARG absent).</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "S", "nographic", "no-acpi", "no-reboot", "no-shutdown", "enable-kvm", "usb", "nodefaults", "no-user-config",
        "daemonize", "localtime", "no-hpet", "snapshot", "full-screen", "no-quit", "s", "no-fd-bootchk", "no-kvm",
        "win2k-hack", "rtc-td-hack", "no-kvm-irqchip", "no-kvm-pit", "no-kvm-pit-reinjection", "enable-fips",
        "only-migratable", "preconfig", "semihosting", "help", "h", "version", "no-frame", "alt-grab", "ctrl-grab",
        "enable-sync-profile", "old-param", "nodefconfig", "no-kvm-pit-reinjection", "perfmap", "jitdump",
    };

    public static List<ArgvOption> Split(IReadOnlyList<string> argv)
    {
        var options = new List<ArgvOption>();
        for (var i = 1; i < argv.Count; i++)
        {
            var token = argv[i];
            if (!token.StartsWith('-') || token.Length < 2)
            {
                // QEMU reads a bare word as the first hard disk image (-hda).
                options.Add(new ArgvOption("hda", token, i, [token]));
                continue;
            }
            var name = token.StartsWith("--", StringComparison.Ordinal) ? token[2..] : token[1..];
            if (Flags.Contains(name))
            {
                options.Add(new ArgvOption(name, null, i, [token]));
                continue;
            }
            if (i + 1 >= argv.Count)
            {
                if (IsKnownWithValue(name))
                    throw new VirtException(ErrorCode.XmlError, $"option {token} needs a value and is the last argument");
                options.Add(new ArgvOption(name, null, i, [token]));
                continue;
            }
            // An option we do not know takes a value unless the next token looks like another option.
            if (!IsKnownWithValue(name) && argv[i + 1].StartsWith('-'))
            {
                options.Add(new ArgvOption(name, null, i, [token]));
                continue;
            }
            options.Add(new ArgvOption(name, argv[i + 1], i, [token, argv[i + 1]]));
            i++;
        }
        return options;
    }

    private static bool IsKnownWithValue(string name) => QemuArgvParser.HandledOptions.Contains(name);
}
