using Virt.TestSupport;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>libvirt's xml2argv cases: an XML with the .args libvirt builds for it, or the .err it fails with.</summary>
internal static class ConformanceCases
{
    public static string Directory => Path.Combine(RepoPaths.Conformance, "xml2argv");

    public static TheoryData<string> WithArgs() => Names(".args");

    public static TheoryData<string> WithErr() => Names(".err");

    public static string Xml(string name) => File.ReadAllText(Path.Combine(Directory, name + ".xml"));

    /// <summary>libvirt's expected argv, its shell line continuations undone and quotes removed (the files quote only with '...').</summary>
    public static List<string> ExpectedArgs(string name)
    {
        var words = new List<string>();
        foreach (var raw in File.ReadAllLines(Path.Combine(Directory, name + ".args")))
        {
            var line = raw.TrimEnd('\\').Trim();
            if (line.Length == 0 || (words.Count == 0 && !line.StartsWith('/') && line.Contains('=')))
                continue; // environment assignments before the emulator
            var space = line.IndexOf(' ');
            if (space < 0)
            {
                words.Add(line);
                continue;
            }
            words.Add(line[..space]);
            var value = line[(space + 1)..];
            words.Add(value.StartsWith('\'') && value.EndsWith('\'') ? value[1..^1] : value);
        }
        return words.Skip(1).ToList(); // the emulator
    }

    private static TheoryData<string> Names(string extension)
    {
        var data = new TheoryData<string>();
        foreach (var file in System.IO.Directory.GetFiles(Directory, "*" + extension).Order())
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }
}
