using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;

namespace Virt.Protocol.Tests.Snapshots;

public sealed class SnapshotDiskAlignmentTests
{
    private static readonly DomainDefinition Domain = DomainXml.Parse("""
        <domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>
          <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/images/vm.img'/><target dev='vda' bus='virtio'/></disk>
          <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/images/data.v2.qcow2'/><target dev='vdb' bus='virtio'/></disk>
          <disk type='file' device='disk'><source file='/images/shared'/><target dev='vdc' bus='virtio'/><readonly/></disk>
          <disk type='file' device='cdrom'><source file='/images/cd.iso'/><target dev='hdc' bus='ide'/></disk>
        </devices></domain>
        """);

    private static IReadOnlyList<SnapshotDisk> Align(params SnapshotDisk[] asked) =>
        SnapshotDiskAlignment.Align(Domain, asked, SnapshotLocation.External, "s1", _ => true);

    [Theory]
    [InlineData("/x/disk.qcow2", "/x/disk.s1")]
    [InlineData("/x/disk", "/x/disk.s1")]
    [InlineData("/x.d/disk", "/x.d/disk.s1")]
    [InlineData("/x/disk.v2.img", "/x/disk.v2.s1")]
    public void The_default_overlay_replaces_the_extension_with_the_snapshot_name(string original, string overlay) =>
        Assert.Equal(overlay, SnapshotDiskAlignment.DefaultFile(original, "s1"));

    [Fact]
    public void Every_writable_disk_gets_an_overlay_next_to_it_and_read_only_ones_none()
    {
        Assert.Equal([
            new SnapshotDisk("vda", SnapshotLocation.External, "/images/vm.s1"),
            new SnapshotDisk("vdb", SnapshotLocation.External, "/images/data.v2.s1"),
            new SnapshotDisk("vdc", SnapshotLocation.No),
            new SnapshotDisk("hdc", SnapshotLocation.No),
        ], Align());
    }

    [Fact]
    public void A_diskspec_names_its_file_or_leaves_its_disk_out_and_may_name_the_disk_by_its_source()
    {
        var aligned = Align(new SnapshotDisk("/images/vm.img", SnapshotLocation.External, "/o/vda.qcow2"), new SnapshotDisk("vdb", SnapshotLocation.No));
        Assert.Equal(new SnapshotDisk("vda", SnapshotLocation.External, "/o/vda.qcow2"), aligned[0]);
        Assert.Equal(SnapshotLocation.No, aligned[1].Location);
    }

    [Theory]
    [InlineData("vdz", null, "no disk named 'vdz'")]
    [InlineData("vda", "no", "file '/o/a' for disk 'vda' requires use of external snapshot mode")]
    public void Bad_disk_requests_get_libvirts_errors(string name, string? mode, string message)
    {
        var asked = new SnapshotDisk(name, mode is null ? SnapshotLocation.External : SnapshotLocation.No, "/o/a");
        var e = Assert.Throws<VirtException>(() => Align(asked));
        Assert.Equal((ErrorCode.ConfigUnsupported, message), (e.Code, e.Message));
    }

    [Fact]
    public void A_disk_named_twice_or_a_default_name_that_collides_is_refused()
    {
        Assert.Equal("disk 'vda' specified twice",
            Assert.Throws<VirtException>(() => Align(new SnapshotDisk("vda", SnapshotLocation.External), new SnapshotDisk("vda", SnapshotLocation.No))).Message);
        var twins = DomainXml.Parse("<domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>"
            + "<disk type='file' device='disk'><source file='/i/a.img'/><target dev='vda' bus='virtio'/></disk>"
            + "<disk type='file' device='disk'><source file='/i/a.qcow2'/><target dev='vdb' bus='virtio'/></disk></devices></domain>");
        Assert.Equal("cannot generate external snapshot name for disk 'vdb': collision with disk 'vda'",
            Assert.Throws<VirtException>(() => SnapshotDiskAlignment.Align(twins, [], SnapshotLocation.External, "s", _ => true)).Message);
        Assert.Equal("source for disk 'vda' is not a regular file; refusing to generate external snapshot name",
            Assert.Throws<VirtException>(() => SnapshotDiskAlignment.Align(twins, [], SnapshotLocation.External, "s", _ => false)).Message);
    }

    [Fact]
    public void An_internal_snapshot_takes_every_disk()
    {
        var e = Assert.Throws<VirtException>(() => SnapshotDiskAlignment.Align(Domain, [new SnapshotDisk("vda", SnapshotLocation.External)], SnapshotLocation.Internal, "s", _ => true));
        Assert.Equal("disk 'vda' must use snapshot mode 'internal'", e.Message);
    }
}
