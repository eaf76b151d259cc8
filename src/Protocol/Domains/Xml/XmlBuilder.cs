using System.Globalization;
using System.Text;

namespace Virt.Protocol.Domains.Xml;

/// <summary>Writes XML the way libvirt does: two-space indent, single-quoted attributes, empty elements as &lt;x/&gt;.</summary>
internal sealed class XmlBuilder
{
    private readonly StringBuilder _out = new();
    private readonly List<KeyValuePair<string, string>> _attributes = [];
    private string? _pending;
    private int _depth;

    /// <summary>Starts an element; attributes follow, then children or <see cref="End"/>.</summary>
    public XmlBuilder Open(string name)
    {
        FlushOpen(selfClosing: false);
        _pending = name;
        return this;
    }

    public XmlBuilder Attr(string name, string? value)
    {
        if (value is not null)
            _attributes.Add(new(name, value));
        return this;
    }

    public XmlBuilder Attr(string name, int? value) => Attr(name, value?.ToString(CultureInfo.InvariantCulture));

    public XmlBuilder Attr(string name, bool? value, string yes = "yes", string no = "no") =>
        Attr(name, value is null ? null : value.Value ? yes : no);

    /// <summary>Ends the current element: self-closed if it had no children.</summary>
    public void End(string name)
    {
        if (_pending is not null)
        {
            FlushOpen(selfClosing: true);
            return;
        }
        _depth--;
        Indent();
        _out.Append("</").Append(name).Append(">\n");
    }

    /// <summary>A leaf with text content, &lt;name attrs&gt;text&lt;/name&gt;; nothing when the text is null.</summary>
    public void Text(string name, string? text, params (string Name, string? Value)[] attributes)
    {
        if (text is null)
            return;
        FlushOpen(selfClosing: false);
        Indent();
        _out.Append('<').Append(name);
        foreach (var (n, v) in attributes)
        {
            if (v is not null)
                AppendAttribute(n, v);
        }
        _out.Append('>');
        Escape(text, attribute: false);
        _out.Append("</").Append(name).Append(">\n");
    }

    public void Leaf(string name, params (string Name, string? Value)[] attributes)
    {
        Open(name);
        foreach (var (n, v) in attributes)
            Attr(n, v);
        End(name);
    }

    public override string ToString()
    {
        FlushOpen(selfClosing: false);
        return _out.ToString();
    }

    private void FlushOpen(bool selfClosing)
    {
        if (_pending is null)
            return;
        Indent();
        _out.Append('<').Append(_pending);
        foreach (var (n, v) in _attributes)
            AppendAttribute(n, v);
        _out.Append(selfClosing ? "/>\n" : ">\n");
        if (!selfClosing)
            _depth++;
        _attributes.Clear();
        _pending = null;
    }

    private void Indent() => _out.Append(' ', _depth * 2);

    private void AppendAttribute(string name, string value)
    {
        _out.Append(' ').Append(name).Append("='");
        Escape(value, attribute: true);
        _out.Append('\'');
    }

    /// <summary>Escapes markup and the whitespace a parser would otherwise normalise, so a reparse gives the same string.</summary>
    private void Escape(string text, bool attribute)
    {
        foreach (var ch in text)
        {
            var entity = ch switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '\'' => "&apos;",
                '"' => "&quot;",
                '\r' => "&#13;",
                '\n' when attribute => "&#10;",
                '\t' when attribute => "&#9;",
                _ => null,
            };
            if (entity is null)
                _out.Append(ch);
            else
                _out.Append(entity);
        }
    }
}
