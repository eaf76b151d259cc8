using System.Text;

namespace Virt.Supervisor.CommandLine;

/// <summary>A QEMU command line: the emulator binary and its arguments (argv without argv[0]).</summary>
public sealed record QemuCommandLine(string Emulator, IReadOnlyList<string> Arguments)
{
    /// <summary>The command line as one POSIX shell string, for display and log headers only; never executed.</summary>
    public string ToShellString()
    {
        var text = new StringBuilder(ShellQuote(Emulator));
        foreach (var argument in Arguments)
            text.Append(' ').Append(ShellQuote(argument));
        return text.ToString();
    }

    /// <summary>Quotes one word for a POSIX shell; words made only of safe characters stay bare.</summary>
    public static string ShellQuote(string word)
    {
        if (word.Length > 0 && word.All(IsShellSafe))
            return word;
        return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static bool IsShellSafe(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '_' or '@' or '%' or '+' or '=' or ':' or ',' or '.' or '/' or '-';
}
