using Virt.Cli.Commands;

namespace Virt.Cli.Tests;

public sealed class SnapshotDiskSpecTests
{
    [Theory]
    [InlineData("vda", "    <disk name='vda'/>\n")]
    [InlineData("hdc,snapshot=no", "    <disk name='hdc' snapshot='no'/>\n")]
    [InlineData("vda,snapshot=external,file=/x/a,,b.qcow2", "    <disk name='vda' snapshot='external'>\n      <source file='/x/a,b.qcow2'/>\n    </disk>\n")]
    [InlineData("vda,driver=qcow2,stype=block,file=/dev/sdb", "    <disk name='vda' type='block'>\n      <driver type='qcow2'/>\n      <source dev='/dev/sdb'/>\n    </disk>\n")]
    public void A_diskspec_becomes_the_disk_virsh_writes(string spec, string xml) =>
        Assert.Equal(xml, SnapshotDiskSpec.ToXml(spec));

    [Theory]
    [InlineData("vda,size=1", "unable to parse diskspec: vda,size=1")]
    [InlineData("vda,snapshot=external,snapshot=no", "unable to parse diskspec: vda,snapshot=external,snapshot=no")]
    [InlineData("vda,stype=network", "Unknown storage type: 'network'")]
    public void A_bad_diskspec_is_refused_as_virsh_refuses_it(string spec, string message) =>
        Assert.Equal(message, Assert.Throws<UsageException>(() => SnapshotDiskSpec.ToXml(spec)).Message);
}
