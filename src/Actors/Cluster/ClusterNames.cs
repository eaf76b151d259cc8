using Virt.Protocol.Remote;

namespace Virt.Actors.Cluster;

/// <summary>
/// The cluster's domain names, pure: who holds each name (and UUID), whether a claim may be granted, and how a node's
/// sync changes the directory. The singleton <see cref="NameDirectoryActor"/> is its only writer.
/// </summary>
public sealed class ClusterNames
{
    private readonly Dictionary<string, NameClaim> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _nameByUuid = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, NameClaim> Claims => _byName;

    /// <summary>The directory's own bookkeeping key in the replicated map; a control character, so never a domain name.</summary>
    public const string EpochKey = "\u0001epoch";

    public static ClusterNames From(IEnumerable<KeyValuePair<string, NameClaim>> claims)
    {
        var names = new ClusterNames();
        foreach (var (name, claim) in claims)
            if (name != EpochKey)
                names.Set(name, claim);
        return names;
    }

    /// <summary>Why <paramref name="node"/> may not hold <paramref name="name"/> / <paramref name="uuid"/>, or null when it may.</summary>
    /// <remarks>Within one node the node's own registry keeps names and UUIDs apart; only other nodes' claims matter here.</remarks>
    public string? Conflict(string name, string? uuid, string node) =>
        HolderOf(name, uuid, node) is not { } holder ? null
        : _byName.TryGetValue(name, out var held) && held.Node == holder
            ? $"domain '{name}' already exists on node {holder}{(held.Uuid is null ? "" : $" with uuid {held.Uuid}")}"
            : $"domain '{_nameByUuid[uuid!]}' already exists on node {holder} with uuid {uuid}";

    /// <summary>The other node that holds the name or the UUID, if one does.</summary>
    private string? HolderOf(string name, string? uuid, string node)
    {
        if (_byName.TryGetValue(name, out var held) && held.Node != node)
            return held.Node;
        if (uuid is not null && _nameByUuid.TryGetValue(uuid, out var other) && _byName[other].Node != node)
            return _byName[other].Node;
        return null;
    }

    /// <summary>The name and claim of the domain with this UUID, if any node holds it.</summary>
    public KeyValuePair<string, NameClaim>? FindUuid(string uuid) =>
        _nameByUuid.TryGetValue(uuid, out var name) ? new(name, _byName[name]) : null;

    /// <summary>Whether <paramref name="node"/> already holds the name (a redefine of its own domain).</summary>
    public bool Holds(string name, string node) => _byName.TryGetValue(name, out var held) && held.Node == node;

    public void Set(string name, NameClaim claim)
    {
        Remove(name);
        _byName[name] = claim;
        if (claim.Uuid is { } uuid)
            _nameByUuid[uuid] = name;
    }

    public void Remove(string name)
    {
        if (_byName.Remove(name, out var old) && old.Uuid is { } uuid
            && _nameByUuid.TryGetValue(uuid, out var indexed) && indexed == name)
            _nameByUuid.Remove(uuid);
    }

    /// <summary>What one node's full list changes.</summary>
    /// <param name="Set">Claims to record (new names of the node, or a UUID learnt).</param>
    /// <param name="Removed">The node's names it no longer holds.</param>
    /// <param name="Clashes">The node's domains another node holds the name or UUID of: reported, never renamed or recorded.</param>
    public sealed record SyncChanges(
        IReadOnlyList<KeyValuePair<string, NameClaim>> Set, IReadOnlyList<string> Removed, IReadOnlyList<ClusterMessages.NameClash> Clashes)
    {
        public bool Any => Set.Count > 0 || Removed.Count > 0;
    }

    /// <summary>
    /// Compares the directory with every domain <paramref name="node"/> holds. Names in <paramref name="pending"/>
    /// (granted moments ago, their define perhaps still under way) are kept even when the list lacks them.
    /// </summary>
    public SyncChanges Sync(string node, IReadOnlyList<ClusterMessages.HeldName> domains, IReadOnlySet<string> pending)
    {
        var set = new List<KeyValuePair<string, NameClaim>>();
        var clashes = new List<ClusterMessages.NameClash>();
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var domain in domains)
        {
            listed.Add(domain.Name);
            if (HolderOf(domain.Name, domain.Uuid, node) is { } holder)
            {
                clashes.Add(new ClusterMessages.NameClash(domain.Name, domain.Uuid, holder));
                continue;
            }
            var claim = new NameClaim(node, domain.Uuid);
            if (!_byName.TryGetValue(domain.Name, out var held) || held != claim)
                set.Add(new(domain.Name, claim));
        }
        var removed = _byName.Where(c => c.Value.Node == node && !listed.Contains(c.Key) && !pending.Contains(c.Key))
            .Select(c => c.Key).ToList();
        foreach (var (name, claim) in set)
            Set(name, claim);
        foreach (var name in removed)
            Remove(name);
        return new SyncChanges(set, removed, clashes);
    }
}
