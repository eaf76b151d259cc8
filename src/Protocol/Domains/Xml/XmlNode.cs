using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains.Xml;

/// <summary>
/// Reads one element and remembers what was read, so <see cref="Done"/> can refuse any attribute
/// or child nobody asked for: nothing in a document is dropped silently.
/// </summary>
internal sealed class XmlNode(XElement element)
{
    private readonly HashSet<XName> _readAttributes = [];
    private readonly HashSet<XElement> _readChildren = new(ReferenceEqualityComparer.Instance);

    public XElement Element { get; } = element;
    public string Name => Element.Name.LocalName;
    public int? Line => LineOf(Element);
    public string Place => Line is int l ? $"<{Name}> at line {l}" : $"<{Name}>";

    public static int? LineOf(XObject o) => o is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : null;

    public string? Attr(string name)
    {
        _readAttributes.Add(name);
        return Element.Attribute(name)?.Value;
    }

    public string RequiredAttr(string name) =>
        Attr(name) ?? throw XmlError($"{Place} needs the attribute '{name}'", name);

    public int? IntAttr(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Attr(name);
        if (text is null)
            return null;
        if (!int.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw XmlError($"invalid value '{text}' for attribute '{name}' of {Place}: expected an integer from {min} to {max}", name);
        return value;
    }

    public bool? YesNoAttr(string name) => BoolAttr(name, "yes", "no");

    public bool? OnOffAttr(string name) => BoolAttr(name, "on", "off");

    private bool? BoolAttr(string name, string yes, string no)
    {
        var text = Attr(name);
        if (text is null)
            return null;
        if (text == yes)
            return true;
        if (text == no)
            return false;
        throw Unsupported($"unsupported value '{text}' for attribute '{name}' of {Place}: expected '{yes}' or '{no}'", name);
    }

    /// <summary>An attribute whose value must be one of a fixed set; the error lists the set.</summary>
    public string? ChoiceAttr(string name, params string[] allowed)
    {
        var text = Attr(name);
        if (text is null || allowed.Contains(text))
            return text;
        throw Unsupported($"unsupported value '{text}' for attribute '{name}' of {Place}: expected one of {string.Join(", ", allowed)}", name);
    }

    public T? EnumAttr<T>(string name, XmlEnum<T> names) where T : struct, Enum
    {
        var text = Attr(name);
        if (text is null)
            return null;
        return names.TryParse(text, out var value)
            ? value
            : throw Unsupported($"unsupported value '{text}' for attribute '{name}' of {Place}: expected one of {names.Allowed}", name);
    }

    /// <summary>The single child of that name, or null; a second one is an error.</summary>
    public XmlNode? Child(string name)
    {
        XmlNode? found = null;
        foreach (var child in Element.Elements(name))
        {
            _readChildren.Add(child);
            if (found is not null)
                throw new XmlNode(child).XmlError($"duplicate <{name}> at line {LineOf(child)} in {Place}: only one is allowed");
            found = new XmlNode(child);
        }
        return found;
    }

    public IEnumerable<XmlNode> Children(string name)
    {
        foreach (var child in Element.Elements(name))
        {
            _readChildren.Add(child);
            yield return new XmlNode(child);
        }
    }

    public void MarkRead(XElement child) => _readChildren.Add(child);

    /// <summary>Text content, or null for an element with no text.</summary>
    public string? Text()
    {
        foreach (var child in Element.Elements())
            throw new XmlNode(child).Unsupported($"unexpected element <{child.Name.LocalName}> at line {LineOf(child)} inside {Place}: expected text only");
        return Element.IsEmpty ? null : Element.Value;
    }

    public string? ChildText(string name) => Child(name) is { } c ? c.TextDone() : null;

    public string? TextDone()
    {
        var text = Text();
        Done();
        return text;
    }

    /// <summary>Refuse every attribute and child element that was not read.</summary>
    public void Done()
    {
        foreach (var attribute in Element.Attributes())
        {
            if (attribute.IsNamespaceDeclaration || _readAttributes.Contains(attribute.Name))
                continue;
            var line = LineOf(attribute) ?? Line;
            throw new DomainXmlException(ErrorCode.ConfigUnsupported,
                $"unsupported configuration: attribute '{attribute.Name.LocalName}' of <{Name}> at line {line} is not supported",
                line, Name, attribute.Name.LocalName);
        }
        foreach (var child in Element.Elements())
        {
            if (_readChildren.Contains(child))
                continue;
            var line = LineOf(child);
            throw new DomainXmlException(ErrorCode.ConfigUnsupported,
                $"unsupported configuration: element <{child.Name.LocalName}> at line {line} in <{Name}> is not supported",
                line, child.Name.LocalName);
        }
    }

    public DomainXmlException XmlError(string message, string? attribute = null) =>
        new(ErrorCode.XmlError, "XML error: " + message, Line, Name, attribute);

    public DomainXmlException Unsupported(string message, string? attribute = null) =>
        new(ErrorCode.ConfigUnsupported, "unsupported configuration: " + message, Line, Name, attribute);
}
