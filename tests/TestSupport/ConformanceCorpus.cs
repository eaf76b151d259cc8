using Xunit;

namespace Virt.TestSupport;

/// <summary>libvirt's test data under ../shared/conformance: each suite's files, theory cases named by file, .args as argv.</summary>
public static class ConformanceCorpus
{
    public static string Suite(string suite) => Path.Combine(RepoPaths.Conformance, suite);

    public static string Read(string suite, string file) => File.ReadAllText(Path.Combine(Suite(suite), file));

    /// <summary>The files of the suites whose names end in <paramref name="suffix"/>, in ordinal order.</summary>
    public static IEnumerable<string> Files(string suffix, params string[] suites) =>
        suites.SelectMany(suite => Directory.GetFiles(Suite(suite), "*" + suffix)).Order(StringComparer.Ordinal);

    /// <summary>One theory case per file of the suite, named by the file without <paramref name="suffix"/> so a failure says which.</summary>
    public static TheoryData<string> Cases(string suite, string suffix, Func<string, bool>? filter = null)
    {
        var data = new TheoryData<string>();
        foreach (var file in Files(suffix, suite))
        {
            var name = Path.GetFileName(file)[..^suffix.Length];
            if (filter is null || filter(name))
                data.Add(name);
        }
        if (data.Count == 0)
            throw new InvalidOperationException($"no *{suffix} files in {Suite(suite)}");
        return data;
    }

    /// <summary>libvirt's expected argv from an .args file, without the environment assignments and the emulator before it.</summary>
    public static List<string> Args(string path)
    {
        var words = new List<string>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.TrimEnd('\\').Trim();
            if (line.Length == 0 || (words.Count == 0 && !line.StartsWith('/') && line.Contains('=')))
                continue;
            words.AddRange(ShellWords(line));
        }
        return words.Skip(1).ToList();
    }

    /// <summary>Words of one shell line: split on spaces outside single quotes, quotes removed, \' a literal quote.</summary>
    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (c == '\\' && !quoted && i + 1 < line.Length)
            {
                word.Append(line[++i]);
            }
            else if (c == ' ' && !quoted)
            {
                if (any || word.Length > 0)
                    words.Add(word.ToString());
                word.Clear();
                any = false;
            }
            else
            {
                word.Append(c);
            }
        }
        if (any || word.Length > 0)
            words.Add(word.ToString());
        return words;
    }
}
