using System.Text;

namespace Virt.Supervisor.Attach;

/// <summary>
/// Splits a shell command line (libvirt's .args form: VAR=value prefixes, quotes, backslash-newline continuations)
/// into its words, refusing what would need a real shell: substitutions, pipes, redirections.
/// </summary>
public static class ShellWords
{
    public sealed record CommandLine(IReadOnlyDictionary<string, string> Environment, IReadOnlyList<string> Argv);

    public static CommandLine Parse(string text)
    {
        var words = Split(text);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var first = 0;
        for (; first < words.Count && IsAssignment(words[first]); first++)
        {
            var eq = words[first].IndexOf('=');
            environment[words[first][..eq]] = words[first][(eq + 1)..];
        }
        return new CommandLine(environment, words.Skip(first).ToList());
    }

    private static bool IsAssignment(string word)
    {
        var eq = word.IndexOf('=');
        return eq > 0 && (char.IsAsciiLetter(word[0]) || word[0] == '_') && word[..eq].All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
    }

    public static List<string> Split(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var started = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (started)
                        words.Add(word.ToString());
                    word.Clear();
                    started = false;
                    break;
                case '\\':
                    if (i + 1 >= text.Length)
                        throw Refuse("a trailing backslash");
                    i++;
                    if (text[i] != '\n') // backslash-newline joins lines
                    {
                        word.Append(text[i]);
                        started = true;
                    }
                    break;
                case '\'':
                    var close = text.IndexOf('\'', i + 1);
                    if (close < 0)
                        throw Refuse("an unterminated single quote");
                    word.Append(text, i + 1, close - i - 1);
                    i = close;
                    started = true;
                    break;
                case '"':
                    i = DoubleQuoted(text, i + 1, word);
                    started = true;
                    break;
                case '$' or '`' or '|' or '&' or ';' or '<' or '>' or '(' or ')':
                    throw Refuse($"'{c}', which needs a shell");
                default:
                    word.Append(c);
                    started = true;
                    break;
            }
        }
        if (started)
            words.Add(word.ToString());
        return words;
    }

    /// <summary>Reads up to the closing quote; inside, a backslash escapes only $ ` " \ and newline, as in sh.</summary>
    private static int DoubleQuoted(string text, int i, StringBuilder word)
    {
        for (; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
                return i;
            if (c is '$' or '`')
                throw Refuse($"'{c}' inside double quotes, which needs a shell");
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '$' or '`' or '"' or '\\' or '\n')
            {
                i++;
                if (text[i] != '\n')
                    word.Append(text[i]);
                continue;
            }
            word.Append(c);
        }
        throw Refuse("an unterminated double quote");
    }

    private static Virt.Protocol.Errors.VirtException Refuse(string what) =>
        new(Virt.Protocol.Errors.ErrorCode.ConfigUnsupported, $"cannot read the command line: {what}");
}
