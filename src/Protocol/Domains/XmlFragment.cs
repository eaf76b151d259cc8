namespace Virt.Protocol.Domains;

/// <summary>
/// An element kept as written, for what the daemon stores but never interprets: the children of &lt;metadata&gt;
/// (virt-install's libosinfo block, a management tool's own data), namespace and prefix included.
/// </summary>
public sealed record XmlFragment
{
    public required string Name { get; init; }
    public string Prefix { get; init; } = "";
    public string Namespace { get; init; } = "";
    public IReadOnlyList<XmlFragmentAttribute> Attributes { get; init; } = [];
    public IReadOnlyList<XmlFragment> Children { get; init; } = [];
    /// <summary>Text when the element holds no child elements; null when it holds none.</summary>
    public string? Text { get; init; }

    public bool Equals(XmlFragment? other) =>
        other is not null && Name == other.Name && Prefix == other.Prefix && Namespace == other.Namespace && Text == other.Text
        && Attributes.SequenceEqual(other.Attributes) && Children.SequenceEqual(other.Children);

    public override int GetHashCode() => HashCode.Combine(Name, Namespace, Attributes.Count, Children.Count);
}

public sealed record XmlFragmentAttribute(string Name, string Prefix, string Namespace, string Value);
