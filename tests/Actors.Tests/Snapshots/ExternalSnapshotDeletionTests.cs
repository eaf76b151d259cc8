using Virt.Actors.Registry;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;
using Virt.Supervisor.Storage;

namespace Virt.Actors.Tests.Snapshots;

public sealed class ExternalSnapshotDeletionTests
{
    private static string DomainOn(string source, string format = "raw", string backing = "") => $"""
        <domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>
          <disk type='file' device='disk'><driver name='qemu' type='{format}'/><source file='{source}'/>{backing}<target dev='vda' bus='virtio'/></disk>
          <disk type='file' device='cdrom'><source file='/images/cd.iso'/><target dev='hdc' bus='ide'/></disk>
        </devices></domain>
        """;

    private static SnapshotDefinition External(string name, string? parent, string overlay, string takenOn, bool current = false, bool marked = false) =>
        new(name, null, "disk-snapshot", parent, 1796140000, current, DomainOn(takenOn, takenOn.EndsWith(".img", StringComparison.Ordinal) ? "raw" : "qcow2"),
            [new SnapshotDisk("vda", SnapshotLocation.External, overlay, "qcow2", DeleteInProgress: marked), new SnapshotDisk("hdc", SnapshotLocation.No)]);

    // The chain vm.img <- vm.s1 <- vm.s2, the domain on vm.s2.
    private static readonly SnapshotDefinition S1 = External("s1", null, "/images/vm.s1", "/images/vm.img");
    private static readonly SnapshotDefinition S2 = External("s2", "s1", "/images/vm.s2", "/images/vm.s1", current: true);
    private static readonly DomainDefinition OnS2 = DomainXml.Parse(DomainOn("/images/vm.s2", "qcow2"));

    private static readonly Dictionary<string, IReadOnlyList<ImageLayer>> Chains = new()
    {
        ["/images/vm.s2"] = [new("/images/vm.s2", "qcow2"), new("/images/vm.s1", "qcow2"), new("/images/vm.img", "raw")],
    };

    [Fact]
    public void The_newest_overlay_is_an_active_commit_and_an_older_one_an_intermediate_commit_under_the_next()
    {
        var newer = ExternalSnapshotDeletion.Plan(S2, [S1, S2], OnS2);
        Assert.Equal([("vda", "/images/vm.s2", "/images/vm.s1", "s1")], newer.Select(c => (c.Disk, c.Overlay, c.Parent.SourcePath, c.ParentSnapshot)));
        Assert.Equal([new CommitRequest("vda", "/images/vm.s2", "/images/vm.s2", new ImageLayer("/images/vm.s1", "qcow2"), null)],
            ExternalSnapshotDeletion.Place(newer, OnS2, Chains));

        var older = ExternalSnapshotDeletion.Place(ExternalSnapshotDeletion.Plan(S1, [S1, S2], OnS2), OnS2, Chains);
        Assert.Equal([new CommitRequest("vda", "/images/vm.s2", "/images/vm.s1", new ImageLayer("/images/vm.img", "raw"), "/images/vm.s2")], older);
        Assert.False(older[0].Active);
    }

    [Fact]
    public void Refusals_are_libvirts()
    {
        void Refused(ErrorCode code, string message, Action act)
        {
            var e = Assert.Throws<VirtException>(act);
            Assert.Equal((code, message), (e.Code, e.Message));
        }
        Refused(ErrorCode.OperationInvalid, "snapshot disk 'vda' was target of not completed snapshot delete",
            () => ExternalSnapshotDeletion.Plan(S1 with { Disks = [S1.Disks![0] with { DeleteInProgress = true }] }, [S1], OnS2));
        var internalParent = new SnapshotDefinition("i0", null, "shutoff", null, 1796140000, false, DomainOn("/images/vm.img"));
        Refused(ErrorCode.OperationUnsupported, "deleting external snapshot that has internal snapshot as parent not supported",
            () => ExternalSnapshotDeletion.Plan(S1 with { Parent = "i0" }, [internalParent, S1 with { Parent = "i0" }], OnS2));
        Refused(ErrorCode.InvalidArg, "disk 'vda' not found in domain",
            () => ExternalSnapshotDeletion.Plan(S1, [S1], OnS2 with { Devices = OnS2.Devices with { Disks = [OnS2.Devices.Disks[1]] } }));

        var plan = ExternalSnapshotDeletion.Plan(S1, [S1, S2], OnS2);
        Refused(ErrorCode.InvalidArg, "could not find base disk source in disk source chain",
            () => ExternalSnapshotDeletion.Place(plan, OnS2, new Dictionary<string, IReadOnlyList<ImageLayer>> { ["/images/vm.s2"] = [new("/images/vm.s2", "qcow2")] }));
        Refused(ErrorCode.OperationFailed, "failed to find parent disk source in backing chain",
            () => ExternalSnapshotDeletion.Place(plan, OnS2, new Dictionary<string, IReadOnlyList<ImageLayer>> { ["/images/vm.s2"] = [new("/images/vm.s2", "qcow2"), new("/images/vm.s1", "qcow2")] }));
        Refused(ErrorCode.OperationFailed, "snapshot VM disk source and parent disk source are not the same",
            () => ExternalSnapshotDeletion.Place(plan, OnS2, new Dictionary<string, IReadOnlyList<ImageLayer>>
            {
                ["/images/vm.s2"] = [new("/images/vm.s2", "qcow2"), new("/images/vm.s1", "qcow2"), new("/images/other.img", "raw")],
            }));
    }

    [Fact]
    public void A_parent_snapshot_that_skipped_the_disk_is_passed_over_for_the_older_one_that_took_it()
    {
        var skipped = S2 with { Name = "skip", Parent = "s1", Disks = [new SnapshotDisk("vda", SnapshotLocation.No), new SnapshotDisk("hdc", SnapshotLocation.No)] };
        var s3 = S2 with { Name = "s3", Parent = "skip" };
        Assert.Equal("s1", ExternalSnapshotDeletion.Plan(s3, [S1, skipped, s3], OnS2).Single().ParentSnapshot);
        var marked = ExternalSnapshotDeletion.Marked([S1, skipped, s3], ExternalSnapshotDeletion.Plan(s3, [S1, skipped, s3], OnS2), inProgress: true);
        Assert.Equal([("s1", true, false)], marked.Select(s => (s.Name, s.Disks![0].DeleteInProgress, s.Disks[1].DeleteInProgress)));
    }

    [Fact]
    public void The_disk_moves_off_its_overlay_onto_the_recorded_chain_or_the_image_the_snapshot_was_taken_of()
    {
        var live = DomainXml.Parse(DomainOn("/images/vm.s2", "qcow2",
            "<backingStore type='file'><format type='qcow2'/><source file='/images/vm.s1'/><backingStore type='file'><format type='raw'/><source file='/images/vm.img'/><backingStore/></backingStore></backingStore>"));
        var newer = ExternalSnapshotDeletion.Plan(S2, [S1, S2], live);
        var pivoted = ExternalSnapshotDeletion.Apply(live, newer).Devices.Disks[0];
        Assert.Equal(("/images/vm.s1", "qcow2"), (pivoted.SourcePath, pivoted.DriverType));
        Assert.Equal(new DiskBackingStore(DiskSourceType.File, "raw", "/images/vm.img", DiskBackingStore.End), pivoted.BackingStore);

        var under = ExternalSnapshotDeletion.Apply(live, ExternalSnapshotDeletion.Plan(S1, [S1, S2], live)).Devices.Disks[0];
        Assert.Equal("/images/vm.s2", under.SourcePath);
        Assert.Equal(new DiskBackingStore(DiskSourceType.File, "raw", "/images/vm.img", DiskBackingStore.End), under.BackingStore);

        // A shut-off domain's config records no chain: it takes the image the snapshot recorded.
        var config = ExternalSnapshotDeletion.Apply(OnS2, newer).Devices.Disks[0];
        Assert.Equal(("/images/vm.s1", "qcow2", null), (config.SourcePath, config.DriverType, config.BackingStore));
        Assert.Equal(OnS2.Devices.Disks[1], ExternalSnapshotDeletion.Apply(OnS2, newer).Devices.Disks[1]);
    }
}
