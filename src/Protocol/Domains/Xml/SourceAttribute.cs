namespace Virt.Protocol.Domains.Xml;

/// <summary>One attribute as written, with the line it is on.</summary>
internal readonly record struct SourceAttribute(string LocalName, string Namespace, string Value, int Line)
{
    private const string XmlnsNamespace = "http://www.w3.org/2000/xmlns/";

    public string Prefix { get; init; } = "";

    /// <summary>xmlns and xmlns:prefix declare namespaces; they are not configuration.</summary>
    public bool IsNamespaceDeclaration => ReferenceEquals(Namespace, XmlnsNamespace) || Namespace == XmlnsNamespace;

    /// <summary>True for an attribute with this name and no namespace, as the parser asks for them.</summary>
    public bool Is(string localName) => Namespace.Length == 0 && LocalName == localName;
}
