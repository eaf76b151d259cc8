using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains;

/// <summary>A domain XML document that is malformed or asks for something Virt does not support, with its place in the document.</summary>
public sealed class DomainXmlException(ErrorCode code, string message, int? line = null, string? element = null, string? attribute = null, Exception? inner = null)
    : VirtException(code, message, inner)
{
    /// <summary>1-based line of the offending element or attribute, when known.</summary>
    public int? Line { get; } = line;

    /// <summary>Name of the offending element, without angle brackets.</summary>
    public string? Element { get; } = element;

    /// <summary>Name of the offending attribute, if the problem is an attribute.</summary>
    public string? Attribute { get; } = attribute;
}
