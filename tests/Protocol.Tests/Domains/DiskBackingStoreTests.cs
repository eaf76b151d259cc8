using Virt.Protocol.Domains;

namespace Virt.Protocol.Tests.Domains;

public sealed class DiskBackingStoreTests
{
    [Fact]
    public void A_disk_on_an_overlay_keeps_its_backing_chain_through_format_and_parse()
    {
        const string Xml = """
            <domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>
              <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/i/vm.s2'/>
                <backingStore type='file' index='2'><format type='qcow2'/><source file='/i/vm.s1'/>
                  <backingStore type='file'><format type='raw'/><source file='/i/vm.img'/><backingStore/></backingStore>
                </backingStore>
                <target dev='vda' bus='virtio'/></disk>
            </devices></domain>
            """;
        var disk = DomainXml.Parse(Xml).Devices.Disks[0];
        Assert.Equal(new DiskBackingStore(DiskSourceType.File, "qcow2", "/i/vm.s1", new DiskBackingStore(DiskSourceType.File, "raw", "/i/vm.img", DiskBackingStore.End)),
            disk.BackingStore);
        var formatted = DomainXml.Format(DomainXml.Parse(Xml), null, secure: true);
        Assert.Contains("<source file='/i/vm.s2'/>\n      <backingStore type='file'>\n        <format type='qcow2'/>\n        <source file='/i/vm.s1'/>", formatted);
        Assert.Contains("<backingStore/>", formatted);
        Assert.Equal(formatted, DomainXml.Format(DomainXml.Parse(formatted), null, secure: true));
    }
}
