using System.Text;
using System.Xml;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains.Xml;

/// <summary>Loads a document with no DTD, no entity expansion, no resolver and a size and depth cap, keeping line numbers.</summary>
internal static class SecureXmlLoader
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>libvirt's documents nest about 6 deep; a cap keeps a hostile document from costing more than its size.</summary>
    public const int MaxDepth = 128;

    // Shared: XmlReader.Create only reads its settings, so one instance serves every thread.
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBytes,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>The root element of the document, built in one streaming pass.</summary>
    public static SourceElement Load(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
            throw new DomainXmlException(ErrorCode.XmlError, $"XML error: the document is {bytes} bytes, more than the limit of {MaxBytes} bytes (1 MiB)");
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), Settings);
            return Build(reader);
        }
        catch (XmlException e)
        {
            var what = e.Message.Contains("DTD", StringComparison.Ordinal)
                ? "DTDs and entity declarations are not allowed in a domain definition"
                : e.Message;
            throw new DomainXmlException(ErrorCode.XmlError,
                $"XML error: malformed document at line {e.LineNumber}, column {e.LinePosition}: {what}{Excerpt(text, e.LineNumber, e.LinePosition)}",
                e.LineNumber == 0 ? null : e.LineNumber, inner: e);
        }
    }

    private static SourceElement Build(XmlReader reader)
    {
        var info = (IXmlLineInfo)reader;
        var open = new Stack<SourceElement>();
        SourceElement? root = null;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (reader.Depth >= MaxDepth)
                        throw new DomainXmlException(ErrorCode.XmlError,
                            $"XML error: element <{reader.Name}> at line {info.LineNumber} is nested more than {MaxDepth} levels deep",
                            info.LineNumber, reader.Name);
                    var isEmpty = reader.IsEmptyElement;
                    var element = new SourceElement(reader.LocalName, reader.NamespaceURI, info.LineNumber, ReadAttributes(reader, info), isEmpty)
                    {
                        Prefix = reader.Prefix,
                    };
                    if (open.TryPeek(out var parent))
                        parent.AddChild(element);
                    else
                        root = element;
                    if (!isEmpty)
                        open.Push(element);
                    break;
                case XmlNodeType.EndElement:
                    open.Pop();
                    break;
                case XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace:
                    if (open.TryPeek(out var container))
                        container.AddText(reader.Value);
                    break;
            }
        }
        // XmlReader refuses a document without a root element, so a completed read always has one.
        return root ?? throw new XmlException("Root element is missing.");
    }

    private static SourceAttribute[] ReadAttributes(XmlReader reader, IXmlLineInfo info)
    {
        if (reader.AttributeCount == 0)
            return [];
        var attributes = new SourceAttribute[reader.AttributeCount];
        for (var i = 0; reader.MoveToNextAttribute(); i++)
            attributes[i] = new SourceAttribute(reader.LocalName, reader.NamespaceURI, reader.Value, info.LineNumber) { Prefix = reader.Prefix };
        reader.MoveToElement();
        return attributes;
    }

    /// <summary>The offending line with a caret under the column, as libvirt shows it.</summary>
    private static string Excerpt(string text, int line, int column)
    {
        var lines = text.Split('\n');
        if (line < 1 || line > lines.Length)
            return "";
        var source = lines[line - 1].TrimEnd('\r');
        if (source.Length > 200)
            return "";
        return $"\n{source}\n{new string('-', Math.Max(0, column - 1))}^";
    }
}
