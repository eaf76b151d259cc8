using Virt.Actors.Registry;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Tests.Registry;

public sealed class DiskChangesTests
{
    private static readonly DomainDefinition Vm = new()
    {
        Name = "vm",
        Uuid = Guid.NewGuid(),
        MemoryKiB = 16384,
        Os = new OsConfig(),
        Devices = new DeviceSet { Disks = [new DiskDevice { TargetDev = "vda", TargetBus = DiskBus.Virtio, SourcePath = "/images/a.img" }] },
    };

    private static readonly DiskDevice Extra = new() { TargetDev = "vdb", TargetBus = DiskBus.Virtio, SourcePath = "/images/b.img" };

    [Fact]
    public void A_disk_is_added_after_the_others_and_taken_away_by_its_target()
    {
        var attached = DiskChanges.Attach(Vm, Extra);
        Assert.Equal(["vda", "vdb"], attached.Devices.Disks.Select(d => d.TargetDev));
        var (detached, removed) = DiskChanges.Detach(attached, "vdb");
        Assert.Same(Extra, removed);
        Assert.Equal(Vm.Devices.Disks, detached.Devices.Disks);
    }

    [Fact]
    public void A_taken_target_and_a_missing_one_are_refused_as_libvirt_says()
    {
        Assert.Equal("target vda already exists", Assert.Throws<VirtException>(() => DiskChanges.Attach(Vm, Extra with { TargetDev = "vda" })).Message);
        var missing = Assert.Throws<VirtException>(() => DiskChanges.Detach(Vm, "vdz"));
        Assert.Equal((ErrorCode.DeviceMissing, "disk vdz not found"), (missing.Code, missing.Message));
    }
}
