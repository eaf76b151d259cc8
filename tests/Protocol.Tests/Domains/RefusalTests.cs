using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Tests.Domains;

/// <summary>What Virt cannot apply is refused, naming the element, attribute and line; nothing is dropped.</summary>
public class RefusalTests
{
    private static DomainXmlException Refuse(string xml) => Assert.Throws<DomainXmlException>(() => DomainXml.Parse(xml));

    [Fact]
    public void An_unknown_top_level_element_is_refused_with_its_line()
    {
        var e = Refuse(DomainDocs.Minimal(afterOs: "  <memtune>\n    <hard_limit>1</hard_limit>\n  </memtune>\n"));
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.Equal("memtune", e.Element);
        Assert.Equal(10, e.Line);
        Assert.Contains("<memtune> at line 10", e.Message);
    }

    [Fact]
    public void An_unknown_device_is_refused_with_its_line()
    {
        var e = Refuse(DomainDocs.Minimal("<hostdev mode='subsystem' type='usb'/>"));
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.Equal("hostdev", e.Element);
        Assert.Equal(16, e.Line);
    }

    [Fact]
    public void An_unknown_attribute_is_refused_naming_it()
    {
        var e = Refuse(DomainDocs.Minimal("<disk type='file' device='disk'>\n  <driver name='qemu' type='raw' copy_on_read='on'/>\n  <source file='/a'/>\n  <target dev='vda' bus='virtio'/>\n</disk>"));
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.Equal(("driver", "copy_on_read", 17), (e.Element, e.Attribute, e.Line));
    }

    [Fact]
    public void An_unknown_child_deep_inside_a_device_is_refused()
    {
        var e = Refuse(DomainDocs.Minimal("<interface type='user'>\n  <link state='down'/>\n</interface>"));
        Assert.Equal(("link", 17), (e.Element, e.Line));
    }

    [Theory]
    [InlineData("<disk type='file' device='disk'>\n  <source file='/a'/>\n  <target dev='xvda' bus='xen'/>\n</disk>", "'xen'", "ide, fdc, scsi, virtio, usb, sata")]
    [InlineData("<disk type='volume' device='disk'>\n  <target dev='vda'/>\n</disk>", "'volume'", "file, block, network")]
    [InlineData("<disk type='file' device='lun'>\n  <target dev='sda'/>\n</disk>", "'lun'", "disk, cdrom, floppy")]
    [InlineData("<disk type='file' device='disk'>\n  <driver cache='sometimes'/>\n  <source file='/a'/>\n  <target dev='vda'/>\n</disk>", "'sometimes'", "writeback")]
    [InlineData("<interface type='vhostuser'/>", "'vhostuser'", "user, network, bridge, ethernet")]
    [InlineData("<interface type='user'>\n  <model type='tulip'/>\n</interface>", "'tulip'", "rtl8139")]
    [InlineData("<graphics type='sdl'/>", "'sdl'", "vnc, spice")]
    [InlineData("<serial type='udp'/>", "'udp'", "pty, file, unix, null, tcp")]
    [InlineData("<serial type='tcp'>\n  <source mode='bind' host='127.0.0.1' service='9999'/>\n  <protocol type='telnets'/>\n</serial>", "'telnets'", "raw, telnet")]
    [InlineData("<video>\n  <model type='vmvga'/>\n</video>", "'vmvga'", "cirrus, vga, virtio")]
    [InlineData("<watchdog model='diag288'/>", "'diag288'", "i6300esb, ib700, itco")]
    [InlineData("<rng model='virtio'>\n  <backend model='egd' type='udp'/>\n</rng>", "'egd'", "random, builtin")]
    [InlineData("<input type='passthrough' bus='virtio'/>", "'passthrough'", "mouse, keyboard, tablet")]
    [InlineData("<memballoon model='xen'/>", "'xen'", "virtio, none")]
    public void Unknown_values_are_refused_listing_the_allowed_ones(string device, string value, string allowed)
    {
        var e = Refuse(DomainDocs.Minimal(device));
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.Contains(value, e.Message);
        Assert.Contains(allowed, e.Message);
        Assert.NotNull(e.Line);
    }

    [Theory]
    [InlineData("ppc64")]
    [InlineData("aarch64")]
    [InlineData("alpha")]
    public void Architectures_other_than_x86_are_unsupported(string arch)
    {
        var e = Refuse(DomainDocs.Minimal(os: $"    <type arch='{arch}'>hvm</type>\n"));
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.Contains($"'{arch}'", e.Message);
        Assert.Equal(8, e.Line);
    }

    [Fact]
    public void A_non_hvm_os_type_and_a_bad_lifecycle_action_are_refused()
    {
        Assert.Contains("'linux'", Refuse(DomainDocs.Minimal(os: "    <type>linux</type>\n")).Message);
        var e = Refuse(DomainDocs.Minimal().Replace("<on_reboot>restart", "<on_reboot>coredump-restart"));
        Assert.Contains("destroy, restart, preserve, rename-restart", e.Message);
    }

    [Fact]
    public void Duplicate_disk_targets_are_refused()
    {
        var e = Refuse(DomainDocs.Minimal("<disk type='file' device='disk'>\n  <source file='/a'/>\n  <target dev='vda'/>\n</disk>\n<disk type='file' device='disk'>\n  <source file='/b'/>\n  <target dev='vda'/>\n</disk>"));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("'vda'", e.Message);
        Assert.Equal(20, e.Line);
    }

    [Theory]
    [InlineData("hdaxxxxxxxxxx")]
    [InlineData("nvme0n1")]
    [InlineData("vda-1")]
    public void Target_names_that_are_not_disk_names_are_refused(string target)
    {
        var e = Refuse(DomainDocs.Minimal($"<disk type='file' device='disk'>\n  <source file='/a'/>\n  <target dev='{target}' bus='virtio'/>\n</disk>"));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains($"'{target}'", e.Message);
    }

    [Theory]
    [InlineData("hda", 0)]
    [InlineData("vdz", 25)]
    [InlineData("sdaa", 26)]
    [InlineData("sdab3", 27)]
    [InlineData("xvdb", 1)]
    public void Disk_names_map_to_libvirt_indexes(string name, int index) => Assert.Equal(index, DiskNames.ToIndex(name));

    [Theory]
    [InlineData("00:11:22:33:44", "unable to parse")]
    [InlineData("00:11:22:33:44:zz", "unable to parse")]
    [InlineData("001:11:22:33:44:55", "unable to parse")]
    [InlineData("01:00:5e:00:00:01", "unicast")]
    public void Bad_mac_addresses_are_refused(string mac, string reason)
    {
        var e = Refuse(DomainDocs.Minimal($"<interface type='user'>\n  <mac address='{mac}'/>\n</interface>"));
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains(reason, e.Message);
        Assert.Equal(17, e.Line);
    }

    [Fact]
    public void Per_device_boot_order_cannot_be_mixed_with_os_boot()
    {
        var e = Refuse(DomainDocs.Minimal("<disk type='file' device='disk'>\n  <source file='/a'/>\n  <target dev='vda'/>\n  <boot order='1'/>\n</disk>",
            os: "    <type arch='x86_64'>hvm</type>\n    <boot dev='hd'/>\n"));
        Assert.Contains("os/boot", e.Message);
    }

    [Fact]
    public void A_boot_order_used_twice_is_refused()
    {
        var e = Refuse(DomainDocs.Minimal("<disk type='file' device='disk'>\n  <source file='/a'/>\n  <target dev='vda'/>\n  <boot order='1'/>\n</disk>\n<interface type='user'>\n  <boot order='1'/>\n</interface>"));
        Assert.Contains("boot order '1'", e.Message);
        Assert.Equal(("boot", 21), (e.Element, e.Line));
    }

    [Theory]
    [InlineData("<disk type='file' device='floppy'>\n  <source file='/a'/>\n  <target dev='fda' bus='ide'/>\n</disk>", "floppy")]
    [InlineData("<disk type='file' device='disk'>\n  <target dev='vda'/>\n</disk>", "only a cdrom or floppy may be empty")]
    [InlineData("<disk type='file' device='cdrom'>\n  <target dev='sda' bus='usb'/>\n</disk>", "'usb'")]
    [InlineData("<input type='tablet' bus='ps2'/>", "ps2 bus does not support tablet")]
    [InlineData("<video>\n  <model type='none'/>\n</video>\n<video>\n  <model type='vga'/>\n</video>", "'none'")]
    [InlineData("<video>\n  <model type='vga' primary='yes'/>\n</video>\n<video>\n  <model type='virtio' primary='yes'/>\n</video>", "primary")]
    [InlineData("<graphics type='vnc' listen='0.0.0.0'>\n  <listen type='address' address='127.0.0.1'/>\n</graphics>", "must match")]
    [InlineData("<controller type='usb' index='0'/>\n<controller type='usb' index='0'/>", "Duplicate USB controllers with index 0")]
    [InlineData("<audio id='1' type='none'/>\n<audio id='1' type='none'/>", "audio id '1'")]
    [InlineData("<watchdog model='ib700'/>\n<watchdog model='ib700'/>", "duplicate <watchdog>")]
    [InlineData("<serial type='file'>\n  <target port='0'/>\n</serial>", "needs a <source>")]
    [InlineData("<controller type='scsi' index='0' model='buslogic'/>", "unsupported configuration: <controller type='scsi' model='buslogic'> is not supported")]
    [InlineData("<tpm model='tpm-tis'><backend type='emulator'/></tpm>\n<tpm model='tpm-tis'><backend type='emulator'/></tpm>", "only one <tpm>")]
    [InlineData("<tpm model='tpm-crb'><backend type='emulator' version='1.2'/></tpm>", "needs a TPM 2.0 backend")]
    [InlineData("<tpm model='tpm-tis'><backend type='passthrough'><device path='/dev/tpm0'/></backend></tpm>", "unsupported value 'passthrough'")]
    [InlineData("<watchdog model='i6300esb' action='dump'/>", "unsupported configuration: <watchdog action='dump'> is not supported")]
    public void Inconsistent_devices_are_refused(string devices, string reason)
    {
        var e = Refuse(DomainDocs.Minimal(devices));
        Assert.Contains(reason, e.Message);
        Assert.NotNull(e.Line);
    }

    [Theory]
    [InlineData("1-4,8-20,525", true)]
    [InlineData("0,^0", false)]
    [InlineData("4-2", false)]
    [InlineData("8192", false)]
    [InlineData("1,,2", false)]
    [InlineData("a", false)]
    public void Cpusets_follow_libvirt_bitmap_syntax(string cpuset, bool valid)
    {
        var xml = DomainDocs.Minimal().Replace("<vcpu placement='static'>", $"<vcpu placement='static' cpuset='{cpuset}'>");
        if (valid)
            Assert.Equal(cpuset, DomainXml.Parse(xml).Vcpu.CpuSet);
        else
            Assert.Contains("cpuset", Refuse(xml).Message);
    }

    [Fact]
    public void Validator_checks_definitions_built_in_code()
    {
        var definition = DomainXml.Parse(DomainDocs.Minimal()) with { Name = "a/b" };
        var e = Assert.Throws<DomainXmlException>(() => DomainValidator.Validate(definition));
        Assert.Equal("name", e.Element);
        DomainValidator.Validate(definition with { Name = "ok" });
    }
}
