using System.CommandLine;

namespace Virt.Cli.Commands;

/// <summary>The FILE argument of define and create, kept as typed so messages name it as the user did.</summary>
internal static class XmlFile
{
    public static Argument<string> Create() => new("file") { Description = "A libvirt domain XML file" };

    public static Task<string> ReadAsync(string path, CancellationToken ct) => File.ReadAllTextAsync(path, ct);
}
