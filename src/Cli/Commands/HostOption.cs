using System.CommandLine;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>`--host NODE|auto` of define and create: the cluster node a new domain goes to, and the words that say where it went.</summary>
internal static class HostOption
{
    public static Option<string?> Create(string verb) => new("--host")
    {
        Description = $"In a cluster: the node to {verb}, or auto for the node with the most free memory that can run it",
        HelpName = "NODE|auto",
    };

    /// <summary>" on node b" for a placed domain; nothing otherwise, as virsh prints it.</summary>
    public static string OnNode(DomainSummary summary) => summary.Host is { } host ? $" on node {host}" : "";
}
