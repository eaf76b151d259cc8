using Virt.TestSupport;

namespace Virt.Protocol.Tests.Domains;

/// <summary>The libvirt conformance files, one theory case per file, named by file so a failure says which.</summary>
public static class ConformanceCases
{
    private static string Dir(string name) => Path.Combine(RepoPaths.Conformance, name);

    private static TheoryData<string> Names(string dir, string suffix, Func<string, bool>? filter = null)
    {
        var data = new TheoryData<string>();
        var full = Dir(dir);
        foreach (var file in Directory.GetFiles(full, "*" + suffix).OrderBy(f => f, StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file)[..^suffix.Length];
            if (filter is null || filter(name))
                data.Add(name);
        }
        if (data.Count == 0)
            throw new InvalidOperationException($"no *{suffix} files in {full}");
        return data;
    }

    public static TheoryData<string> XmlToXml => Names("xml2xml", ".in.xml");

    /// <summary>xml2argv cases libvirt expects to fail: they have a .err file.</summary>
    public static TheoryData<string> XmlToArgvErrors => Names("xml2argv", ".err");

    public static TheoryData<string> XmlToArgvValid =>
        Names("xml2argv", ".xml", name => !File.Exists(Path.Combine(Dir("xml2argv"), name + ".err")));

    public static TheoryData<string> ArgvToXml => Names("argv2xml", ".xml");

    public static string Read(string dir, string file) => File.ReadAllText(Path.Combine(Dir(dir), file));
}
