using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Tests.Domains;

public class MemoryUnitTests
{
    public static TheoryData<string, ulong> BytesPerUnit => new()
    {
        { "b", 1 }, { "bytes", 1 },
        { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
        { "MB", 1000UL * 1000 }, { "M", 1UL << 20 }, { "MiB", 1UL << 20 },
        { "GB", 1000UL * 1000 * 1000 }, { "G", 1UL << 30 }, { "GiB", 1UL << 30 },
        { "TB", 1000UL * 1000 * 1000 * 1000 }, { "T", 1UL << 40 }, { "TiB", 1UL << 40 },
        { "mib", 1UL << 20 }, { "gb", 1000UL * 1000 * 1000 },
    };

    [Theory]
    [MemberData(nameof(BytesPerUnit))]
    public void Memory_in_any_unit_is_stored_in_KiB_rounding_up(string unit, ulong bytesPerUnit)
    {
        foreach (var value in new ulong[] { 1, 3, 1000 })
        {
            var bytes = value * bytesPerUnit;
            var expectedKiB = (bytes + 1023) / 1024;
            var xml = DomainDocs.Minimal(memory: $"<memory unit='{unit}'>{value}</memory>\n");
            var parsed = DomainXml.Parse(xml);
            Assert.Equal(expectedKiB, parsed.MemoryKiB);
            Assert.Contains($"<memory unit='KiB'>{expectedKiB}</memory>", DomainXml.Format(parsed));
        }
    }

    [Fact]
    public void A_missing_unit_means_KiB_and_current_memory_defaults_to_memory()
    {
        var parsed = DomainXml.Parse(DomainDocs.Minimal(memory: "<memory>2048</memory>\n"));
        Assert.Equal(2048UL, parsed.MemoryKiB);
        Assert.Equal(2048UL, parsed.CurrentMemoryKiB);
    }

    [Fact]
    public void Current_memory_above_memory_is_capped_as_libvirt_does()
    {
        var parsed = DomainXml.Parse(DomainDocs.Minimal(memory: "<memory unit='MiB'>512</memory>\n  <currentMemory unit='GiB'>1</currentMemory>\n"));
        Assert.Equal(524288UL, parsed.CurrentMemoryKiB);
    }

    [Theory]
    [InlineData("<memory unit='parsecs'>1</memory>\n", "parsecs")]
    [InlineData("<memory unit='KiBB'>1</memory>\n", "KiBB")]
    [InlineData("<memory unit='KiB'>-5</memory>\n", "-5")]
    [InlineData("<memory unit='KiB'>12abc</memory>\n", "12abc")]
    [InlineData("<memory unit='EiB'>9000</memory>\n", "too large")]
    public void Bad_memory_sizes_are_refused(string memory, string named)
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(DomainDocs.Minimal(memory: memory)));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains(named, e.Message);
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void Zero_memory_is_refused_like_missing_memory()
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(DomainDocs.Minimal(memory: "<memory>0</memory>\n")));
        Assert.Contains("<memory>", e.Message);
    }

    [Fact]
    public void Unit_list_in_errors_names_every_libvirt_unit()
    {
        var e = Assert.Throws<DomainXmlException>(() => DomainXml.Parse(DomainDocs.Minimal(memory: "<memory unit='x'>1</memory>\n")));
        foreach (var unit in new[] { "b", "bytes", "KB", "KiB", "MiB", "GiB", "TiB" })
            Assert.Contains(unit, e.Message);
    }
}
