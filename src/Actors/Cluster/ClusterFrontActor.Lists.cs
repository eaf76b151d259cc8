using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Virt.Actors.Connections;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Cluster;

// list --hosts / --host NODE: every node asked at once; a node that cannot answer shows its names as unknown.
public sealed partial class ClusterFrontActor
{
    private void ListAcross(ListDomains list)
    {
        var request = list with { AllHosts = false, Host = null };
        var nodes = _members.Nodes.Where(n => list.Host is null || n.Name == list.Host).ToList();
        var claims = _claims.Claims.ToList();
        if (list.Host is { } host && nodes.Count == 0 && claims.All(c => c.Value.Node != host))
        {
            Sender.Tell(new ErrorReply(ErrorCode.InvalidArg, $"no node named '{host}' in the cluster"));
            return;
        }
        var asks = nodes.Select(node => AskNode(node, request)).ToList();
        var includeUnknown = list.Filter is ListDomainsFlags.All or (ListDomainsFlags.Active | ListDomainsFlags.Inactive);
        Task.WhenAll(asks).ContinueWith(answered =>
        {
            var domains = new List<DomainSummary>();
            var heard = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (node, reply) in answered.Result)
            {
                if (reply is not DomainList { Domains: var listed })
                    continue;
                heard.Add(node);
                domains.AddRange(listed.Select(d => d with { Host = node }));
            }
            if (includeUnknown)
                domains.AddRange(claims
                    .Where(c => !heard.Contains(c.Value.Node) && c.Value.Uuid is not null && (list.Host is null || c.Value.Node == list.Host))
                    .Select(c => Unreachable(c.Key, c.Value)));
            return (object)new DomainList(domains.OrderBy(d => d.Host, StringComparer.Ordinal).ToList());
        }, TaskScheduler.Default).PipeTo(Sender);
    }

    /// <summary>One node's list, or null when it cannot be reached or does not answer in time.</summary>
    private Task<(string Node, object? Reply)> AskNode(ClusterMembers.Node node, ListDomains request)
    {
        if (!node.Reachable)
            return Task.FromResult<(string, object?)>((node.Name, null));
        var ask = node.Name == Self_
            ? _local.Ask<IDomainReply>(request, _settings.AskTimeout)
            : RegistryOf(node).Ask<IDomainReply>(request, _settings.AskTimeout);
        return ask.ContinueWith(t => (node.Name, t.IsCompletedSuccessfully ? (object?)t.Result : null), TaskScheduler.Default);
    }

    private static DomainSummary Unreachable(string name, NameClaim claim) =>
        new(new DomainName(name), DomainUuid.Parse(claim.Uuid!), null, DomainState.NoState, (int)NoStateReason.HostUnreachable,
            Persistent: true, Autostart: false)
        { Host = claim.Node };
}
