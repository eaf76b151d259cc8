using System.Globalization;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains.Xml;

/// <summary>
/// Reads one element and remembers what was read, so <see cref="Done"/> can refuse any attribute
/// or child nobody asked for: nothing in a document is dropped silently.
/// </summary>
internal sealed class XmlNode(SourceElement element)
{
    // One flag per attribute and per child, by position; allocated on first use (most leaves have no children).
    private bool[]? _readAttributes;
    private bool[]? _readChildren;

    public SourceElement Element { get; } = element;
    public string Name => Element.LocalName;
    public int Line => Element.Line;
    public string Place => $"<{Name}> at line {Line}";

    public string? Attr(string name)
    {
        var attributes = Element.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            if (attributes[i].Is(name))
            {
                (_readAttributes ??= new bool[attributes.Count])[i] = true;
                return attributes[i].Value;
            }
        }
        return null;
    }

    public string RequiredAttr(string name) =>
        Attr(name) ?? throw XmlError($"{Place} needs the attribute '{name}'", name);

    public int? IntAttr(string name, int min = int.MinValue, int max = int.MaxValue)
    {
        var text = Attr(name);
        if (text is null)
            return null;
        if (!int.TryParse(text.AsSpan().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
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
        var children = Element.Children;
        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i];
            if (!child.Is(name))
                continue;
            MarkRead(i);
            if (found is not null)
                throw new XmlNode(child).XmlError($"duplicate <{name}> at line {child.Line} in {Place}: only one is allowed");
            found = new XmlNode(child);
        }
        return found;
    }

    /// <summary>Every child of that name, in document order.</summary>
    public List<XmlNode> Children(string name)
    {
        var found = new List<XmlNode>();
        var children = Element.Children;
        for (var i = 0; i < children.Count; i++)
        {
            if (!children[i].Is(name))
                continue;
            MarkRead(i);
            found.Add(new XmlNode(children[i]));
        }
        return found;
    }

    /// <summary>Accepts the child at this position without wrapping it (the caller read it another way).</summary>
    public void MarkRead(int index) => (_readChildren ??= new bool[Element.Children.Count])[index] = true;

    /// <summary>Text content, or null for an element with no text.</summary>
    public string? Text()
    {
        if (Element.Children.Count > 0)
        {
            var child = Element.Children[0];
            throw new XmlNode(child).Unsupported($"unexpected element <{child.LocalName}> at line {child.Line} inside {Place}: expected text only");
        }
        return Element.Text;
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
        var attributes = Element.Attributes;
        for (var i = 0; i < attributes.Count; i++)
        {
            var attribute = attributes[i];
            if (attribute.IsNamespaceDeclaration || _readAttributes?[i] == true)
                continue;
            throw new DomainXmlException(ErrorCode.ConfigUnsupported,
                $"unsupported configuration: attribute '{attribute.LocalName}' of <{Name}> at line {attribute.Line} is not supported",
                attribute.Line, Name, attribute.LocalName);
        }
        var children = Element.Children;
        for (var i = 0; i < children.Count; i++)
        {
            if (_readChildren?[i] == true)
                continue;
            var child = children[i];
            throw new DomainXmlException(ErrorCode.ConfigUnsupported,
                $"unsupported configuration: element <{child.LocalName}> at line {child.Line} in <{Name}> is not supported",
                child.Line, child.LocalName);
        }
    }

    public DomainXmlException XmlError(string message, string? attribute = null) =>
        new(ErrorCode.XmlError, "XML error: " + message, Line, Name, attribute);

    public DomainXmlException Unsupported(string message, string? attribute = null) =>
        new(ErrorCode.ConfigUnsupported, "unsupported configuration: " + message, Line, Name, attribute);
}
