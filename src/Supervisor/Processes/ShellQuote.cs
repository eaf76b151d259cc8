using System.Buffers;

namespace Virt.Supervisor.Processes;

/// <summary>POSIX shell quoting, so a logged command line can be pasted into a shell as it ran.</summary>
public static class ShellQuote
{
    private static readonly SearchValues<char> Safe =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=:,./@%");

    public static string Quote(string word)
    {
        if (word.Length > 0 && !word.AsSpan().ContainsAnyExcept(Safe))
            return word;
        return "'" + word.Replace("'", "'\\''") + "'";
    }

    public static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
