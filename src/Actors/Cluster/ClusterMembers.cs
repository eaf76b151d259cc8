using Akka.Actor;
using Akka.Cluster;

namespace Virt.Actors.Cluster;

/// <summary>The nodes this node knows of, by node name: where each one is and whether it answers now.</summary>
public sealed class ClusterMembers
{
    public sealed record Node(string Name, UniqueAddress Member, bool Reachable)
    {
        public Address Address => Member.Address;
    }

    private readonly Dictionary<string, Node> _nodes = new(StringComparer.Ordinal);

    public IEnumerable<Node> Nodes => _nodes.Values;

    public Node? Find(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>The node name a member carries in its roles, if it is a Virt node.</summary>
    public static string? NameOf(IEnumerable<string> roles) =>
        roles.FirstOrDefault(r => r.StartsWith(ClusterSettings.RolePrefix, StringComparison.Ordinal))?[ClusterSettings.RolePrefix.Length..];

    public void Up(string name, UniqueAddress member) => _nodes[name] = new Node(name, member, true);

    /// <summary>An incarnation left; a restarted node at the same address may already be up again under a new one.</summary>
    public void Removed(UniqueAddress member)
    {
        foreach (var node in _nodes.Values.Where(n => n.Member == member).ToList())
            _nodes.Remove(node.Name);
    }

    public void SetReachable(UniqueAddress member, bool reachable)
    {
        foreach (var node in _nodes.Values.Where(n => n.Member == member).ToList())
            _nodes[node.Name] = node with { Reachable = reachable };
    }
}
