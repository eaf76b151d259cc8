using Virt.Protocol.Errors;
using Virt.Protocol.Snapshots;

namespace Virt.Protocol.Tests.Snapshots;

public sealed class SnapshotDefinitionTests
{
    private const string Domain = "<domain type='qemu'><name>vm</name><devices><disk type='file' device='disk'><target dev='vda'/></disk>"
        + "<disk type='file' device='cdrom'><target dev='hdc'/></disk></devices></domain>";

    [Fact]
    public void Stored_metadata_reads_back_as_it_was_written()
    {
        var snapshot = new SnapshotDefinition("s2", "before <upgrade>", "running", "s1", 1796140000, Current: true, Domain);
        var stored = snapshot.Format(withActive: true);
        Assert.Contains("<memory snapshot=\"internal\" />", stored);
        Assert.Contains("<disk name=\"vda\" snapshot=\"internal\" />", stored);
        Assert.Contains("<disk name=\"hdc\" snapshot=\"no\" />", stored);
        Assert.Equal(snapshot with { DomainXml = "" }, SnapshotDefinition.Parse(stored) with { DomainXml = "", Disks = null });
        Assert.DoesNotContain("<active>", snapshot.Format(withActive: false)); // clients see no internal marker
    }

    [Fact]
    public void A_request_gives_its_name_description_memory_and_disks()
    {
        var plain = SnapshotRequest.Parse("<domainsnapshot><name> a </name><description>d</description></domainsnapshot>");
        Assert.Equal(("a", "d", SnapshotLocation.Default), (plain.Name, plain.Description, plain.Memory));
        Assert.False(plain.AsksExternal);
        var disks = SnapshotRequest.Parse("<domainsnapshot><memory snapshot='no'/><disks><disk name='vda' snapshot='external'><source file='/x/o.qcow2'/></disk>"
            + "<disk name='vdb'><source file='/x/b.ov'/></disk><disk name='hdc' snapshot='no'/></disks></domainsnapshot>");
        Assert.Equal(SnapshotLocation.No, disks.Memory);
        Assert.Equal([new SnapshotDisk("vda", SnapshotLocation.External, "/x/o.qcow2"), new SnapshotDisk("vdb", SnapshotLocation.External, "/x/b.ov"),
            new SnapshotDisk("hdc", SnapshotLocation.No)], disks.Disks);
        Assert.True(disks.AsksExternal);
        Assert.Null(SnapshotRequest.Parse("<domainsnapshot/>").Name);
        Assert.Equal(ErrorCode.XmlError, Assert.Throws<VirtException>(() => SnapshotRequest.Parse("<domain/>")).Code);
        Assert.Throws<VirtException>(() => SnapshotRequest.Parse("<!DOCTYPE x [<!ENTITY e 'x'>]><domainsnapshot>&e;</domainsnapshot>"));
        var relative = Assert.Throws<VirtException>(() => SnapshotRequest.Parse("<domainsnapshot><disks><disk name='vda'><source file='o.qcow2'/></disk></disks></domainsnapshot>"));
        Assert.Equal("XML error: disk snapshot image path 'o.qcow2' must be absolute", relative.Message);
    }

    [Fact]
    public void External_metadata_keeps_its_disks_and_says_it_is_external()
    {
        var snapshot = new SnapshotDefinition("d1", null, "disk-snapshot", null, 1796140000, Current: true, Domain,
            [new SnapshotDisk("vda", SnapshotLocation.External, "/x/disk.d1", "qcow2"), new SnapshotDisk("hdc", SnapshotLocation.No)]);
        var stored = snapshot.Format(withActive: true);
        Assert.Contains("<memory snapshot=\"no\" />", stored);
        Assert.Contains("<disk name=\"vda\" snapshot=\"external\" type=\"file\">", stored);
        Assert.Contains("<source file=\"/x/disk.d1\" />", stored);
        var back = SnapshotDefinition.Parse(stored);
        Assert.True(back.External);
        Assert.Equal(snapshot.Disks, back.Disks);
        Assert.False(SnapshotDefinition.Parse(new SnapshotDefinition("i", null, "running", null, 1, true, Domain).Format(true)).External);
    }

    [Theory]
    [InlineData("s1", true)]
    [InlineData("before-upgrade_2.0+x", true)]
    [InlineData("two words", false)]
    [InlineData("../escape", false)]
    [InlineData(".hidden", false)]
    [InlineData("", false)]
    public void Names_are_those_savevm_and_a_file_name_both_take(string name, bool ok) =>
        Assert.Equal(ok, SnapshotDefinition.NameProblem(name) is null);

    [Fact]
    public void The_mark_of_a_delete_in_progress_is_kept_in_metadata_only()
    {
        var marked = new SnapshotDefinition("e1", null, "disk-snapshot", null, 1796140000, Current: false, Domain,
            [new SnapshotDisk("vda", SnapshotLocation.External, "/x/vm.e1", "qcow2", DeleteInProgress: true), new SnapshotDisk("hdc", SnapshotLocation.No)]);
        var stored = marked.Format(withActive: true);
        Assert.Contains("<disk name=\"vda\" snapshot=\"external\" type=\"file\">\n      <snapshotDeleteInProgress />", stored);
        Assert.True(SnapshotDefinition.Parse(stored).Disks![0].DeleteInProgress);
        // A client's request cannot set it (libvirt reads it only when redefining from its own files).
        var asked = SnapshotRequest.Parse("<domainsnapshot><disks><disk name='vda' snapshot='external'><snapshotDeleteInProgress/></disk></disks></domainsnapshot>");
        Assert.False(asked.Disks[0].DeleteInProgress);
    }

    [Fact]
    public void An_internal_snapshot_lists_its_disks_from_the_domain_it_recorded()
    {
        var internalOne = new SnapshotDefinition("i1", null, "running", null, 1796140000, Current: false, Domain);
        Assert.Equal([new SnapshotDisk("vda", SnapshotLocation.Internal), new SnapshotDisk("hdc", SnapshotLocation.No)], internalOne.DiskList);
    }
}
