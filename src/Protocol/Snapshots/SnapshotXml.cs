using System.Xml;
using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Snapshots;

/// <summary>A &lt;domainsnapshot&gt; document read without DTDs or external entities.</summary>
internal static class SnapshotXml
{
    public static XElement Load(string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            var root = XElement.Load(reader);
            return root.Name.LocalName == "domainsnapshot" ? root
                : throw new VirtException(ErrorCode.XmlError, $"XML error: expected <domainsnapshot>, found <{root.Name.LocalName}>");
        }
        catch (XmlException e)
        {
            throw new VirtException(ErrorCode.XmlError, $"XML error: {e.Message}", e);
        }
    }
}
