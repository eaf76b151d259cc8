namespace Virt.Protocol.Domains.Xml;

/// <summary>
/// One element of a loaded document: a small read-only tree with the line of every element and attribute,
/// built in a single streaming pass (cheaper than XDocument, which the parser never needed whole).
/// </summary>
internal sealed class SourceElement(string localName, string ns, int line, SourceAttribute[] attributes, bool isEmpty)
{
    private List<SourceElement>? _children;

    public string LocalName { get; } = localName;
    /// <summary>The prefix as written (libosinfo in libosinfo:os), kept for what is stored verbatim.</summary>
    public string Prefix { get; init; } = "";
    public string Namespace { get; } = ns;
    public int Line { get; } = line;
    public IReadOnlyList<SourceAttribute> Attributes { get; } = attributes;
    public IReadOnlyList<SourceElement> Children => (IReadOnlyList<SourceElement>?)_children ?? [];

    /// <summary>The text inside, comments left out; null for a self-closed element (&lt;a/&gt;), "" for &lt;a&gt;&lt;/a&gt;.</summary>
    public string? Text { get; private set; } = isEmpty ? null : "";

    /// <summary>True when the element holds any child element or text node, whitespace included.</summary>
    public bool HasNodes { get; private set; }

    /// <summary>True for an element with this name and no namespace, as the parser asks for them.</summary>
    public bool Is(string localName) => Namespace.Length == 0 && LocalName == localName;

    /// <summary>The first child with this name and no namespace.</summary>
    public SourceElement? FirstChild(string localName)
    {
        foreach (var child in Children)
        {
            if (child.Is(localName))
                return child;
        }
        return null;
    }

    internal void AddChild(SourceElement child)
    {
        (_children ??= []).Add(child);
        HasNodes = true;
    }

    internal void AddText(string text)
    {
        Text = string.IsNullOrEmpty(Text) ? text : Text + text;
        HasNodes = true;
    }
}
