using Virt.Actors.Registry;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Paths;

namespace Virt.Actors.Tests.Snapshots;

public sealed class ExternalSnapshotPlanTests
{
    private static readonly VirtPaths Tree = VirtPaths.Embed("/srv/virt");

    private static readonly DomainDefinition Domain = DomainXml.Parse("""
        <domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>
          <disk type='file' device='disk'><driver name='qemu' type='raw' cache='none'/><source file='/images/vm.img'/><target dev='vda' bus='virtio'/></disk>
          <disk type='file' device='cdrom'><source file='/images/cd.iso'/><target dev='hdc' bus='ide'/></disk>
        </devices></domain>
        """);

    private static IReadOnlyList<SnapshotOverlay> Prepare(SnapshotLocation vda, string overlay = "/images/vm.s1", bool active = true, bool reuse = false,
        long? size = null, string? driver = null) =>
        ExternalSnapshotPlan.Prepare(Domain, [new SnapshotDisk("vda", vda, overlay, driver), new SnapshotDisk("hdc", SnapshotLocation.No)], active, reuse, Tree, _ => size);

    [Fact]
    public void A_writable_disk_goes_onto_its_overlay_and_the_live_xml_shows_the_chain()
    {
        var overlays = Prepare(SnapshotLocation.External);
        Assert.Equal([new SnapshotOverlay(Domain.Devices.Disks[0], "/images/vm.s1")], overlays);

        var live = ExternalSnapshotPlan.Apply(Domain, overlays, OverlayChain.Complete).Devices.Disks[0];
        Assert.Equal(("/images/vm.s1", "qcow2", "none"), (live.SourcePath, live.DriverType, live.DriverCache));
        Assert.Equal(new DiskBackingStore(DiskSourceType.File, "raw", "/images/vm.img", DiskBackingStore.End), live.BackingStore);
        Assert.Equal(new DiskBackingStore(DiskSourceType.File, "raw", "/images/vm.img"),
            ExternalSnapshotPlan.Apply(Domain, overlays, OverlayChain.Recorded).Devices.Disks[0].BackingStore);
        Assert.Null(ExternalSnapshotPlan.Apply(Domain, overlays, OverlayChain.Dropped).Devices.Disks[0].BackingStore); // QEMU reads it from the header
        Assert.Equal(Domain.Devices.Disks[1], ExternalSnapshotPlan.Apply(Domain, overlays, OverlayChain.Complete).Devices.Disks[1]);
    }

    [Fact]
    public void An_existing_file_is_refused_unless_reused_and_a_reused_one_must_exist()
    {
        var exists = Assert.Throws<VirtException>(() => Prepare(SnapshotLocation.External, size: 4096));
        Assert.Equal((ErrorCode.ConfigUnsupported, "external snapshot file for disk vda already exists and is not a block device: /images/vm.s1"), (exists.Code, exists.Message));
        Assert.Single(Prepare(SnapshotLocation.External, size: 0)); // an empty file made for it, as libvirt allows
        Assert.Single(Prepare(SnapshotLocation.External, reuse: true, size: 4096));
        Assert.Equal("missing existing file for disk vda: /images/vm.s1: No such file or directory",
            Assert.Throws<VirtException>(() => Prepare(SnapshotLocation.External, reuse: true)).Message);
    }

    [Theory]
    [InlineData(SnapshotLocation.External, "/srv/virt/etc/qemu/vm.s1", null, ErrorCode.OperationDenied, "inside the daemon's own directories")]
    [InlineData(SnapshotLocation.External, "/images/vm.s1", "raw", ErrorCode.ConfigUnsupported, "external snapshot format for disk vda is unsupported: raw")]
    [InlineData(SnapshotLocation.No, "/images/vm.s1", null, ErrorCode.ConfigUnsupported, "nothing selected for snapshot")]
    [InlineData(SnapshotLocation.Internal, "/images/vm.s1", null, ErrorCode.ConfigUnsupported, "active qemu domains require external disk snapshots; disk vda requested internal")]
    public void Refusals_are_libvirts(SnapshotLocation vda, string overlay, string? driver, ErrorCode code, string message)
    {
        var e = Assert.Throws<VirtException>(() => Prepare(vda == SnapshotLocation.No ? vda : vda, overlay, driver: driver));
        Assert.Equal(code, e.Code);
        Assert.Contains(message, e.Message);
    }
}
