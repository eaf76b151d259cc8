using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Tests.Domains;

public class NameAndUuidTests
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("a/b", "'/'")]
    [InlineData(".hidden", "'.'")]
    public void Bad_names_are_refused(string name, string reason)
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(DomainDocs.Minimal(name: name)));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Equal("name", e.Element);
        Assert.Equal(2, e.Line);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Names_are_limited_to_251_bytes_of_UTF8_the_room_NAME_xml_leaves_in_a_file_name()
    {
        var fits = new string('é', 125) + "x"; // 251 bytes
        Assert.Equal(fits, DomainXml.Parse(DomainDocs.Minimal(name: fits)).Name);
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(DomainDocs.Minimal(name: new string('é', 126))));
        Assert.Contains("is 252 bytes, longer than 251 bytes", e.Message);
    }

    [Fact]
    public void A_missing_uuid_is_generated_fresh_and_then_kept()
    {
        var xml = DomainDocs.Minimal().Replace("  <uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>\n", "");
        var first = DomainXml.Parse(xml);
        var second = DomainXml.Parse(xml);
        Assert.NotEqual(Guid.Empty, first.Uuid);
        Assert.NotEqual(first.Uuid, second.Uuid);
        Assert.Equal(first.Uuid, DomainXml.Parse(DomainXml.Format(first)).Uuid);
    }

    [Theory]
    [InlineData("c7a5fdbdedaf9455926ad65c16db1809")]
    [InlineData("C7A5FDBD-EDAF-9455-926A-D65C16DB1809")]
    [InlineData("c7a5-fdbd-edaf-9455-926a-d65c-16db-1809")]
    public void Uuids_are_read_as_libvirt_reads_them(string text)
    {
        var parsed = DomainXml.Parse(DomainDocs.Minimal().Replace("c7a5fdbd-edaf-9455-926a-d65c16db1809", text));
        Assert.Equal(Guid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"), parsed.Uuid);
    }

    [Theory]
    [InlineData("c7a5fdbd-edaf-9455-926a-d65c16db180")]
    [InlineData("c7a5fdbd-edaf-9455-926a-d65c16db18090")]
    [InlineData("g7a5fdbd-edaf-9455-926a-d65c16db1809")]
    [InlineData("{c7a5fdbd-edaf-9455-926a-d65c16db1809}")]
    public void Malformed_uuids_are_refused(string text)
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(DomainDocs.Minimal().Replace("c7a5fdbd-edaf-9455-926a-d65c16db1809", text)));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Equal(3, e.Line);
        Assert.Contains(text, e.Message);
    }
}
