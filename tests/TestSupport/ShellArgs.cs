using System.Text;

namespace Virt.TestSupport;

/// <summary>Splits libvirt's .args files: a shell command line with backslash-newline continuations, single quotes and leading VAR=value assignments.</summary>
public static class ShellArgs
{
    public sealed record CommandLine(IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> Argv);

    public static CommandLine Split(string text)
    {
        var words = Words(text);
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        for (; i < words.Count; i++)
        {
            var eq = words[i].IndexOf('=');
            if (eq <= 0 || words[i].StartsWith('-') || words[i].StartsWith('/') || !words[i][..eq].All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                break;
            env[words[i][..eq]] = words[i][(eq + 1)..];
        }
        return new CommandLine(env, words.Skip(i).ToList());
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                if (text[i + 1] == '\n')
                {
                    i++; // a continuation joins lines and separates nothing by itself
                    continue;
                }
                current.Append(text[++i]);
                inWord = true;
            }
            else if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0)
                    throw new FormatException("unterminated single quote");
                current.Append(text, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(current.ToString());
                current.Clear();
                inWord = false;
            }
            else
            {
                current.Append(c);
                inWord = true;
            }
        }
        if (inWord)
            words.Add(current.ToString());
        return words;
    }
}
