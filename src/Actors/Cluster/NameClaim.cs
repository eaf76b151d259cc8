namespace Virt.Actors.Cluster;

/// <summary>
/// Who holds a domain name in the cluster: a node, and the UUID once the define has told it (a claim made for XML
/// without one has none until the node's next sync). Replicated as "UUID|NODE" so distributed data carries plain strings.
/// </summary>
public sealed record NameClaim(string Node, string? Uuid)
{
    public string Encode() => $"{Uuid}|{Node}";

    public static NameClaim Decode(string text)
    {
        var bar = text.IndexOf('|');
        return bar < 0 ? new NameClaim(text, null) : new NameClaim(text[(bar + 1)..], bar == 0 ? null : text[..bar]);
    }
}
