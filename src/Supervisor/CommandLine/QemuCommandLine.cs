namespace Virt.Supervisor.CommandLine;

/// <summary>A QEMU command line: the emulator binary and its arguments (argv without argv[0]).</summary>
public sealed record QemuCommandLine(string Emulator, IReadOnlyList<string> Arguments)
{
    /// <summary>The definition it was built from, completed as libvirt completes it: what the guest really has.</summary>
    public Protocol.Domains.DomainDefinition? Definition { get; init; }

    /// <summary>The command line as one POSIX shell string, for display and log headers only; never executed.</summary>
    public string ToShellString() => Processes.ShellQuote.Join([Emulator, .. Arguments]);

    /// <summary>Quotes one word for a POSIX shell; words made only of safe characters stay bare.</summary>
    public static string ShellQuote(string word) => Processes.ShellQuote.Quote(word);
}
