using System.CommandLine;
using Virt.Protocol.Domains;

namespace Virt.Cli.Commands;

/// <summary>The FILE argument of define and create, kept as typed so messages name it as the user did.</summary>
internal static class XmlFile
{
    public static Argument<string> Create() => new("file") { Description = "A libvirt domain XML file" };

    /// <summary>Refused by size before it is read: a 50 MB file must not cost the client its memory.</summary>
    public static Task<string> ReadAsync(string path, CancellationToken ct) => DomainXmlFile.ReadAsync(path, ct);
}
