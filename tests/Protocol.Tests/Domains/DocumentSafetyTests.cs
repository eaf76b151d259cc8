using System.Text;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Protocol.Tests.Domains;

public class DocumentSafetyTests
{
    [Fact]
    public void External_entities_are_refused_and_never_read()
    {
        using var dir = new TempDirectory();
        var secret = dir.Combine("secret");
        File.WriteAllText(secret, "SECRET-CONTENT");
        var xml = $"<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM 'file://{secret}'>]>\n" +
            DomainDocs.Minimal(name: "&x;");
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(xml));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("DTD", e.Message);
        Assert.DoesNotContain("SECRET-CONTENT", e.Message);
    }

    [Fact]
    public void An_entity_expansion_bomb_is_refused()
    {
        var sb = new StringBuilder("<?xml version='1.0'?>\n<!DOCTYPE domain [\n<!ENTITY l0 'lol'>\n");
        for (var i = 1; i < 10; i++)
            sb.Append($"<!ENTITY l{i} '{string.Concat(Enumerable.Repeat($"&l{i - 1};", 10))}'>\n");
        sb.Append("]>\n").Append(DomainDocs.Minimal(name: "&l9;"));
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(sb.ToString()));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("DTD", e.Message);
    }

    [Fact]
    public void Documents_over_one_MiB_are_refused_before_parsing()
    {
        var padding = new string('x', DomainXml.MaxDocumentBytes);
        var xml = DomainDocs.Minimal().Replace("  <vcpu", $"  <description>{padding}</description>\n  <vcpu");
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(xml));
        Assert.Contains("1 MiB", e.Message);
        var fromStream = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xml))));
        Assert.Contains("1 MiB", fromStream.Message);
    }

    [Fact]
    public void A_document_just_under_the_cap_is_read_from_a_stream_and_a_file()
    {
        var xml = DomainDocs.Minimal();
        var padding = new string('x', DomainXml.MaxDocumentBytes - Encoding.UTF8.GetByteCount(xml) - 40);
        xml = xml.Replace("  <vcpu", $"  <description>{padding}</description>\n  <vcpu");
        Assert.Equal(padding, DomainXml.Parse(new MemoryStream(Encoding.UTF8.GetBytes(xml))).Description);
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("d.xml"), xml);
        Assert.Equal(padding, DomainXml.ParseFile(dir.Combine("d.xml")).Description);
    }

    [Fact]
    public void Malformed_xml_reports_the_line_and_shows_it()
    {
        var xml = DomainDocs.Minimal().Replace("<on_reboot>restart</on_reboot>", "<on_reboot>restart</on_rebot>");
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(xml));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Equal(12, e.Line);
        Assert.Contains("</on_rebot>", e.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_stream_is_an_xml_error()
    {
        var bytes = Encoding.UTF8.GetBytes(DomainDocs.Minimal(name: "ZZ"));
        var at = Encoding.UTF8.GetString(bytes).IndexOf("ZZ", StringComparison.Ordinal);
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(new MemoryStream(bytes)));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void A_root_other_than_domain_is_refused()
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse("<network>\n  <name>x</name>\n</network>\n"));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("<network>", e.Message);
    }
}
