using Virt.Actors.Cluster;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Tests.Cluster;

public sealed class ClusterNamesTests
{
    private const string U1 = "11111111-1111-1111-1111-111111111111";
    private const string U2 = "22222222-2222-2222-2222-222222222222";
    private static readonly IReadOnlySet<string> NonePending = new HashSet<string>();

    private static ClusterNames With(params (string Name, string Node, string? Uuid)[] claims) =>
        ClusterNames.From(claims.Select(c => new KeyValuePair<string, NameClaim>(c.Name, new NameClaim(c.Node, c.Uuid))));

    [Fact]
    public void A_name_held_by_another_node_is_refused_naming_the_node_and_uuid()
    {
        var names = With(("web", "a", U1));
        Assert.Equal($"domain 'web' already exists on node a with uuid {U1}", names.Conflict("web", null, "b"));
        Assert.Null(names.Conflict("web", U1, "a"));
        Assert.Null(names.Conflict("db", null, "b"));
    }

    [Fact]
    public void A_uuid_held_by_another_node_under_another_name_is_refused()
    {
        var names = With(("web", "a", U1));
        Assert.Equal($"domain 'web' already exists on node a with uuid {U1}", names.Conflict("other", U1, "b"));
        // Within one node its own registry keeps UUIDs apart (a rename keeps the UUID).
        Assert.Null(names.Conflict("renamed", U1, "a"));
    }

    [Fact]
    public void A_sync_records_new_names_forgets_undefined_ones_and_keeps_pending_grants()
    {
        var names = With(("old", "a", U1), ("granted", "a", null), ("theirs", "b", U2));
        var changes = names.Sync("a", [new HeldName("new", "33333333-3333-3333-3333-333333333333")], new HashSet<string> { "granted" });
        Assert.Equal(["new"], changes.Set.Select(s => s.Key));
        Assert.Equal(["old"], changes.Removed);
        Assert.Empty(changes.Clashes);
        Assert.Equal(["granted", "new", "theirs"], names.Claims.Keys.Order());
        Assert.Null(names.FindUuid(U1));
    }

    [Fact]
    public void A_sync_learns_the_uuid_of_a_name_claimed_without_one()
    {
        var names = With(("web", "a", null));
        var changes = names.Sync("a", [new HeldName("web", U1)], NonePending);
        Assert.Equal(new NameClaim("a", U1), Assert.Single(changes.Set).Value);
        Assert.Equal("web", names.FindUuid(U1)?.Key);
        Assert.False(names.Sync("a", [new HeldName("web", U1)], NonePending).Any);
    }

    [Fact]
    public void A_rejoining_node_with_a_clashing_domain_is_reported_and_nothing_is_renamed_or_taken()
    {
        var names = With(("web", "a", U1), ("db", "a", U2));
        var changes = names.Sync("c", [new HeldName("web", "44444444-4444-4444-4444-444444444444"), new HeldName("copy", U2)], NonePending);
        Assert.Equal([new NameClash("web", "44444444-4444-4444-4444-444444444444", "a"), new NameClash("copy", U2, "a")], changes.Clashes);
        Assert.Empty(changes.Set);
        Assert.Equal(new NameClaim("a", U1), names.Claims["web"]);
        Assert.False(names.Claims.ContainsKey("copy"));
    }

    [Fact]
    public void A_claim_travels_as_text_and_the_directorys_own_key_is_no_name()
    {
        Assert.Equal(new NameClaim("node-1", U1), NameClaim.Decode(new NameClaim("node-1", U1).Encode()));
        Assert.Equal(new NameClaim("node-1", null), NameClaim.Decode(new NameClaim("node-1", null).Encode()));
        var names = ClusterNames.From([new(ClusterNames.EpochKey, new NameClaim("a", null)), new("web", new NameClaim("a", null))]);
        Assert.Equal(["web"], names.Claims.Keys);
    }
}
