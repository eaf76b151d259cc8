using System.Text;
using System.Xml;
using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Domains.Xml;

/// <summary>Loads a document with no DTD, no entity expansion, no resolver and a size cap, keeping line numbers.</summary>
internal static class SecureXmlLoader
{
    public const int MaxBytes = 1024 * 1024;

    /// <summary>libvirt's documents nest about 6 deep; XDocument building is quadratic in depth (60,000 levels took 7 s).</summary>
    public const int MaxDepth = 128;

    public static XDocument Load(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
            throw new DomainXmlException(ErrorCode.XmlError, $"XML error: the document is {bytes} bytes, more than the limit of {MaxBytes} bytes (1 MiB)");
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
            IgnoreProcessingInstructions = true,
        };
        try
        {
            RefuseDeepNesting(text, settings);
            using var reader = XmlReader.Create(new StringReader(text), settings);
            return XDocument.Load(reader, LoadOptions.SetLineInfo);
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

    /// <summary>A streaming pass (linear, unlike building the tree) that stops at the first element nested too deep.</summary>
    private static void RefuseDeepNesting(string text, XmlReaderSettings settings)
    {
        using var reader = XmlReader.Create(new StringReader(text), settings);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.Depth >= MaxDepth)
            {
                var line = reader is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : (int?)null;
                throw new DomainXmlException(ErrorCode.XmlError,
                    $"XML error: element <{reader.Name}> at line {line} is nested more than {MaxDepth} levels deep", line, reader.Name);
            }
        }
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
