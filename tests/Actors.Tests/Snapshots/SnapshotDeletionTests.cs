using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;

namespace Virt.Actors.Tests.Snapshots;

public sealed class SnapshotDeletionTests
{
    private static string DomainOn(string source, string format) => $"""
        <domain type='qemu'><name>vm</name><memory>65536</memory><os><type>hvm</type></os><devices>
          <disk type='file' device='disk'><driver name='qemu' type='{format}'/><source file='{source}'/><target dev='vda' bus='virtio'/></disk>
        </devices></domain>
        """;

    private static SnapshotDefinition External(string name, string? parent, string overlay, string takenOn, string format, bool current = false) =>
        new(name, null, "disk-snapshot", parent, 1796140000, current, DomainOn(takenOn, format), [new SnapshotDisk("vda", SnapshotLocation.External, overlay, "qcow2")]);

    private static SnapshotDefinition Internal(string name, string? parent, string on = "/images/vm.qcow2") =>
        new(name, null, "running", parent, 1796140000, false, DomainOn(on, "qcow2"));

    private static readonly SnapshotDefinition E1 = External("e1", null, "/images/vm.e1", "/images/vm.img", "raw");
    private static readonly SnapshotDefinition E2 = External("e2", "e1", "/images/vm.e2", "/images/vm.e1", "qcow2", current: true);

    private static VirtException Refusal(SnapshotDefinition target, IReadOnlyList<SnapshotDefinition> all, SnapshotDeleteFlags flags, DomainDefinition? running = null) =>
        Assert.Throws<VirtException>(() => SnapshotDeletion.Validate(target, all, flags, running));

    [Fact]
    public void Children_flags_are_refused_as_libvirt_refuses_them()
    {
        Assert.Equal((ErrorCode.ConfigUnsupported, "deletion of external children disk snapshots not supported"),
            (Refusal(E1, [E1, E2], SnapshotDeleteFlags.ChildrenOnly).Code, Refusal(E1, [E1, E2], SnapshotDeleteFlags.ChildrenOnly).Message));
        Assert.Equal("deletion of external and internal children disk snapshots not supported",
            Refusal(E1, [E1, E2, Internal("i3", "e2")], SnapshotDeleteFlags.Children).Message);
        Assert.Equal("deletion of external disk snapshots with children not supported", Refusal(E2, [E1, E2], SnapshotDeleteFlags.Children).Message);
        SnapshotDeletion.Validate(E2, [E1, E2], SnapshotDeleteFlags.ChildrenOnly, null); // nothing below: nothing to refuse
        SnapshotDeletion.Validate(E1, [E1, E2], default, null); // a snapshot with children may go alone
        SnapshotDeletion.Validate(Internal("i1", null), [Internal("i1", null), Internal("i2", "i1")], SnapshotDeleteFlags.Children, null);
    }

    [Fact]
    public void An_internal_snapshot_of_an_image_the_running_domain_no_longer_uses_is_refused()
    {
        var i1 = Internal("i1", null);
        var running = DomainXml.Parse(DomainOn("/images/vm.e1", "qcow2"));
        var e = Refusal(i1, [i1], default, running);
        Assert.Equal((ErrorCode.OperationUnsupported, "disk image 'vda' for internal snapshot 'i1' is not the same as disk image currently used by VM"), (e.Code, e.Message));
        SnapshotDeletion.Validate(i1, [i1], default, DomainXml.Parse(DomainOn("/images/vm.qcow2", "qcow2")));
        SnapshotDeletion.Validate(i1, [i1], default, null); // shut off: qemu-img acts on the files
    }

    [Fact]
    public void After_a_delete_children_move_up_later_snapshots_forget_its_overlay_and_its_parent_is_current()
    {
        var e3 = External("e3", "e2", "/images/vm.e3", "/images/vm.e2", "qcow2");
        var changed = SnapshotDeletion.AfterDelete(E1, [E1, E2 with { Current = false }, e3], []).ToDictionary(s => s.Name);
        Assert.Equal(["e2"], changed.Keys); // e3 recorded vm.e2, which stays
        Assert.Null(changed["e2"].Parent);
        var e2Domain = DomainXml.Parse(changed["e2"].DomainXml).Devices.Disks[0];
        Assert.Equal(("/images/vm.img", "raw", null), (e2Domain.SourcePath, e2Domain.DriverType, e2Domain.BackingStore));

        var afterNewest = SnapshotDeletion.AfterDelete(E2, [E1, E2], []);
        Assert.Equal([E1 with { Current = true }], afterNewest);
    }

    [Fact]
    public void Descendants_are_found_at_every_depth()
    {
        var all = new[] { E1, E2, Internal("i3", "e2"), Internal("i4", "i3"), Internal("other", null) };
        Assert.Equal(["e2", "i3", "i4"], SnapshotDeletion.Descendants(E1, all).Select(s => s.Name));
    }
}
