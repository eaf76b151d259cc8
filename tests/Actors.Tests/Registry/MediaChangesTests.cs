using Virt.Actors.Registry;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Tests.Registry;

public sealed class MediaChangesTests
{
    private static readonly DomainDefinition Vm = new()
    {
        Name = "vm",
        Uuid = Guid.NewGuid(),
        MemoryKiB = 16384,
        Os = new OsConfig(),
        Devices = new DeviceSet
        {
            Disks =
            [
                new DiskDevice { TargetDev = "hda", TargetBus = DiskBus.Ide, SourcePath = "/images/a.img" },
                new DiskDevice { TargetDev = "hdc", TargetBus = DiskBus.Ide, Device = DiskDeviceKind.Cdrom, DriverType = "raw", ReadOnly = true },
            ],
        },
    };

    [Fact]
    public void A_cdrom_gets_its_new_source_and_keeps_everything_else()
    {
        var (changed, disk) = MediaChanges.Apply(Vm, DomainXml.ParseDisk("<disk type='file' device='cdrom'><source file='/isos/b.iso'/><target dev='hdc' bus='ide'/></disk>"));
        Assert.Equal("/isos/b.iso", disk.SourcePath);
        Assert.True(disk.ReadOnly);
        Assert.Equal("raw", disk.DriverType);
        Assert.Same(disk, changed.Devices.Disks[1]);
        Assert.Equal(Vm.Devices.Disks[0], changed.Devices.Disks[0]);
        var (ejected, _) = MediaChanges.Apply(changed, DomainXml.ParseDisk("<disk type='file' device='cdrom'><target dev='hdc' bus='ide'/></disk>"));
        Assert.Null(ejected.Devices.Disks[1].SourcePath);
    }

    [Fact]
    public void A_hard_disk_an_unknown_target_and_another_bus_are_refused()
    {
        Assert.Equal(ErrorCode.OperationUnsupported, Assert.Throws<VirtException>(() =>
            MediaChanges.Apply(Vm, DomainXml.ParseDisk("<disk type='file' device='disk'><source file='/x'/><target dev='hda' bus='ide'/></disk>"))).Code);
        Assert.Equal("target hdz doesn't exist.", Assert.Throws<VirtException>(() =>
            MediaChanges.Apply(Vm, DomainXml.ParseDisk("<disk type='file' device='cdrom'><target dev='hdz' bus='ide'/></disk>"))).Message);
        Assert.Throws<VirtException>(() =>
            MediaChanges.Apply(Vm, DomainXml.ParseDisk("<disk type='file' device='cdrom'><target dev='hdc' bus='sata'/></disk>")));
        Assert.Throws<DomainXmlException>(() => DomainXml.ParseDisk("<interface type='user'/>"));
    }
}
