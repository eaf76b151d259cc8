namespace Virt.Actors.Cluster;

/// <summary>virt.cluster: whether this daemon is a node of a cluster, its name there, where it listens and whom it joins.</summary>
public sealed record ClusterSettings
{
    public bool Enabled { get; init; }

    /// <summary>The node's name in the cluster (`--host`, the Host column); by default the machine's hostname.</summary>
    public string NodeName { get; init; } = Environment.MachineName;

    public string Hostname { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 4054;

    /// <summary>Other nodes as host:port; the first node of a new cluster lists itself first.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>How long the split-brain resolver waits for the membership to settle before it downs the smaller side.</summary>
    public TimeSpan StableAfter { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often a node tells the name directory which domains it holds.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a claim or a node's answer to a cluster-wide list may take.</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The Akka role that carries a member's node name.</summary>
    public const string RolePrefix = "virt-node:";
}
