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
        Assert.Equal(snapshot with { DomainXml = "" }, SnapshotDefinition.Parse(stored) with { DomainXml = "" });
        Assert.DoesNotContain("<active>", snapshot.Format(withActive: false)); // clients see no internal marker
    }

    [Fact]
    public void A_request_gives_its_name_and_description_and_says_whether_it_is_disk_only()
    {
        Assert.Equal(("a", "d", false), SnapshotDefinition.ParseRequest("<domainsnapshot><name> a </name><description>d</description></domainsnapshot>"));
        Assert.True(SnapshotDefinition.ParseRequest("<domainsnapshot><memory snapshot='no'/></domainsnapshot>").DiskOnly);
        Assert.Null(SnapshotDefinition.ParseRequest("<domainsnapshot/>").Name);
        Assert.Equal(ErrorCode.XmlError, Assert.Throws<VirtException>(() => SnapshotDefinition.ParseRequest("<domain/>")).Code);
        Assert.Throws<VirtException>(() => SnapshotDefinition.ParseRequest("<!DOCTYPE x [<!ENTITY e 'x'>]><domainsnapshot>&e;</domainsnapshot>"));
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
}
