using System.CommandLine;
using Virt.Protocol.Api;

namespace Virt.Cli.Commands;

/// <summary>The DOM argument of every domain verb: a name, a running id or a UUID, told apart by virsh's rule.</summary>
internal static class DomainArgument
{
    public static Argument<string> Create() => new("domain") { Description = "Domain name, id or UUID" };

    public static DomainRef Get(ParseResult parse, Argument<string> argument) => DomainRef.FromText(parse.GetValue(argument)!);
}
