using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Storage;

namespace Virt.Protocol.Tests.Storage;

public sealed class StorageXmlTests
{
    [Fact]
    public void A_directory_pool_reads_back_from_what_it_formats_and_a_dumped_pools_output_elements_are_read_past()
    {
        var uuid = Guid.NewGuid();
        var pool = StorageXml.ParsePool($"<pool type='dir'><name>default</name><uuid>{uuid}</uuid><target><path>/var/lib/images/</path></target></pool>");
        Assert.Equal(new StoragePoolDefinition("default", uuid, "/var/lib/images"), pool);

        var dumped = StorageXml.FormatPool(pool, new PoolSpace(100, 40, 60));
        Assert.Contains("<capacity unit='bytes'>100</capacity>", dumped);
        Assert.Contains("<available unit='bytes'>60</available>", dumped);
        Assert.Equal(pool, StorageXml.ParsePool(dumped));
    }

    [Fact]
    public void A_pool_without_a_uuid_gets_a_new_one()
    {
        const string xml = "<pool type='dir'><name>p</name><target><path>/srv</path></target></pool>";
        Assert.NotEqual(StorageXml.ParsePool(xml).Uuid, StorageXml.ParsePool(xml).Uuid);
    }

    [Theory]
    [InlineData("<pool type='logical'><name>vg</name><target><path>/dev/vg</path></target></pool>", ErrorCode.ConfigUnsupported, "storage pool type 'logical'")]
    [InlineData("<pool><name>p</name><target><path>/srv</path></target></pool>", ErrorCode.XmlError, "'type'")]
    [InlineData("<pool type='dir'><target><path>/srv</path></target></pool>", ErrorCode.XmlError, "<name>")]
    [InlineData("<pool type='dir'><name>p</name></pool>", ErrorCode.XmlError, "<target><path>")]
    [InlineData("<pool type='dir'><name>p</name><target><path>images</path></target></pool>", ErrorCode.ConfigUnsupported, "is not absolute")]
    [InlineData("<pool type='dir'><name>a/b</name><target><path>/srv</path></target></pool>", ErrorCode.XmlError, "plain file name")]
    [InlineData("<pool type='dir'><name>..</name><target><path>/srv</path></target></pool>", ErrorCode.XmlError, "plain file name")]
    [InlineData("<pool type='dir'><name>p</name><uuid>nope</uuid><target><path>/srv</path></target></pool>", ErrorCode.XmlError, "malformed uuid 'nope'")]
    [InlineData("<domain type='qemu'/>", ErrorCode.XmlError, "not <pool>")]
    [InlineData("<pool type='dir'><name>p</name>", ErrorCode.XmlError, "")]
    public void A_pool_libvirt_would_refuse_or_virt_cannot_keep_is_refused_with_its_reason(string xml, ErrorCode code, string reason)
    {
        var e = Assert.Throws<DomainXmlException>(() => StorageXml.ParsePool(xml));
        Assert.Equal(code, e.Code);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("<volume><name>a.img</name><capacity>4096</capacity></volume>", 4096UL, "raw")]
    [InlineData("<volume><name>a.qcow2</name><capacity unit='G'>2</capacity><target><format type='qcow2'/></target></volume>", 2UL << 30, "qcow2")]
    [InlineData("<volume><name>b</name><capacity unit='KiB'>1</capacity><allocation>0</allocation></volume>", 1024UL, "raw")]
    public void A_volume_request_names_its_file_size_and_format(string xml, ulong bytes, string format)
    {
        var request = StorageXml.ParseVolume(xml);
        Assert.Equal(bytes, request.CapacityBytes);
        Assert.Equal(format, request.Format);
    }

    [Theory]
    [InlineData("<volume><name>a</name></volume>", "<capacity>")]
    [InlineData("<volume><name>a</name><capacity unit='parsecs'>1</capacity></volume>", "is not a size")]
    [InlineData("<volume><name>a</name><capacity>-1</capacity></volume>", "is not a size")]
    [InlineData("<volume><name>a</name><capacity unit='EiB'>99</capacity></volume>", "is not a size")]
    [InlineData("<volume><name>.hidden</name><capacity>1</capacity></volume>", "plain file name")]
    [InlineData("<volume><name>a</name><capacity>1</capacity><target><format type='vmdk'/></target></volume>", "volume format 'vmdk'")]
    [InlineData("<volume><name>a</name><capacity>1</capacity><backingStore><path>/b</path></backingStore></volume>", "<backingStore>")]
    public void A_volume_request_virt_cannot_make_is_refused(string xml, string reason)
    {
        var e = Assert.Throws<DomainXmlException>(() => StorageXml.ParseVolume(xml));
        Assert.Contains(reason, e.Message);
    }
}
