using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Registry;

/// <summary>libvirt's rules for adding a disk to a definition and taking one away, by its target.</summary>
public static class DiskChanges
{
    public static DomainDefinition Attach(DomainDefinition d, DiskDevice disk)
    {
        if (d.Devices.Disks.Any(x => x.TargetDev == disk.TargetDev))
            throw new VirtException(ErrorCode.OperationFailed, $"target {disk.TargetDev} already exists");
        return d with { Devices = d.Devices with { Disks = [.. d.Devices.Disks, disk] } };
    }

    public static (DomainDefinition Changed, DiskDevice Removed) Detach(DomainDefinition d, string target)
    {
        var disk = d.Devices.Disks.FirstOrDefault(x => x.TargetDev == target)
            ?? throw new VirtException(ErrorCode.DeviceMissing, $"disk {target} not found");
        return (d with { Devices = d.Devices with { Disks = [.. d.Devices.Disks.Where(x => !ReferenceEquals(x, disk))] } }, disk);
    }
}
