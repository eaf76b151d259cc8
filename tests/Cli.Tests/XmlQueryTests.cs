using System.Text.Json;
using Virt.Cli.Output;
using Virt.Protocol.Errors;

namespace Virt.Cli.Tests;

/// <summary>vncdisplay and domblklist read the live XML the way virsh does.</summary>
public sealed class XmlQueryTests
{
    private static string Domain(string devices) =>
        $"<domain type='qemu' id='1'><name>vm1</name><devices>{devices}</devices></domain>";

    [Fact]
    public void A_vnc_display_on_every_address_prints_as_colon_number()
    {
        Assert.Equal(":0", VncDisplay.FromXml(Domain("<graphics type='vnc' port='5900' autoport='yes' listen='0.0.0.0'/>")).ToString());
        Assert.Equal(":3", VncDisplay.FromXml(Domain("<graphics type='vnc' port='5903'/>")).ToString());
    }

    [Fact]
    public void A_vnc_display_on_one_address_prints_host_and_number()
    {
        Assert.Equal("127.0.0.1:1", VncDisplay.FromXml(Domain("<graphics type='vnc' port='5901' listen='127.0.0.1'/>")).ToString());
        var fromListenElement = VncDisplay.FromXml(Domain(
            "<graphics type='vnc' port='5907'><listen type='address' address='192.0.2.5'/></graphics>"));
        Assert.Equal("192.0.2.5:7", fromListenElement.ToString());
        Assert.Equal(5907, fromListenElement.Port);
    }

    [Fact]
    public void The_first_vnc_graphics_counts_not_another_type()
    {
        var xml = Domain("<graphics type='spice' port='5930'/><graphics type='vnc' port='5902' listen='127.0.0.1'/>");
        Assert.Equal("127.0.0.1:2", VncDisplay.FromXml(xml).ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("<graphics type='spice' port='5901'/>")]
    [InlineData("<graphics type='vnc' port='-1' autoport='yes'/>")]
    [InlineData("<graphics type='vnc' socket='/run/vnc.sock'/>")]
    public void No_usable_vnc_port_is_virsh_error(string devices)
    {
        var error = Assert.Throws<VirtException>(() => VncDisplay.FromXml(Domain(devices)));
        Assert.Equal(VncDisplay.NoPort, error.Message);
    }

    [Fact]
    public void Malformed_or_dtd_carrying_xml_is_an_xml_error()
    {
        Assert.Equal(ErrorCode.XmlError, Assert.Throws<VirtException>(() => VncDisplay.FromXml("<domain>")).Code);
        var withDtd = "<!DOCTYPE domain [<!ENTITY x 'y'>]><domain><devices/></domain>";
        Assert.Equal(ErrorCode.XmlError, Assert.Throws<VirtException>(() => BlockDevice.FromXml(withDtd)).Code);
    }

    private const string Disks =
        "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/var/lib/virt/images/vm1.qcow2'/><target dev='vda' bus='virtio'/></disk>" +
        "<disk type='block' device='disk'><source dev='/dev/sdb'/><target dev='sda' bus='sata'/></disk>" +
        "<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>";

    [Fact]
    public void Domblklist_is_a_target_source_table_with_a_dash_for_an_empty_drive()
    {
        var text = BlockDevice.Table(BlockDevice.FromXml(Domain(Disks)), details: false);
        Assert.Equal(
            " Target   Source\n" +
            "------------------------------------------\n" +
            " vda      /var/lib/virt/images/vm1.qcow2\n" +
            " sda      /dev/sdb\n" +
            " hdc      -\n",
            text);
    }

    [Fact]
    public void Domblklist_details_adds_type_and_device()
    {
        var lines = BlockDevice.Table(BlockDevice.FromXml(Domain(Disks)), details: true).Split('\n');
        Assert.Equal(" Type    Device   Target   Source", lines[0]);
        Assert.Equal(" block   disk     sda      /dev/sdb", lines[3]);
        Assert.Equal(" file    cdrom    hdc      -", lines[4]);
    }

    [Fact]
    public void Domblklist_json_has_null_for_an_empty_drive()
    {
        using var doc = JsonDocument.Parse(BlockDevice.Json(BlockDevice.FromXml(Domain(Disks))));
        var items = doc.RootElement.EnumerateArray().ToArray();
        Assert.Equal(["vda", "sda", "hdc"], items.Select(i => i.GetProperty("target").GetString()));
        Assert.Equal("/dev/sdb", items[1].GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, items[2].GetProperty("source").ValueKind);
    }

    [Fact]
    public void A_disk_without_target_is_refused()
    {
        var error = Assert.Throws<VirtException>(() => BlockDevice.FromXml(Domain("<disk type='file' device='disk'><source file='/x'/></disk>")));
        Assert.Contains("target", error.Message);
    }
}
