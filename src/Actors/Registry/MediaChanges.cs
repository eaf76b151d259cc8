using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Registry;

/// <summary>libvirt's rule for updating a disk: matched by target, only a cdrom's or floppy's medium (its source) may change.</summary>
public static class MediaChanges
{
    public static (DomainDefinition Changed, DiskDevice Disk) Apply(DomainDefinition d, DiskDevice update)
    {
        var disks = d.Devices.Disks;
        var index = disks.ToList().FindIndex(disk => disk.TargetDev == update.TargetDev);
        if (index < 0)
            throw new VirtException(ErrorCode.InvalidArg, $"target {update.TargetDev} doesn't exist.");
        var disk = disks[index];
        if (disk.Device is not (DiskDeviceKind.Cdrom or DiskDeviceKind.Floppy))
            throw new VirtException(ErrorCode.OperationUnsupported, $"disk device '{disk.TargetDev}' is not removable: only a cdrom's or floppy's medium can change");
        if (update.Device != disk.Device || update.TargetBus != disk.TargetBus)
            throw new VirtException(ErrorCode.OperationUnsupported, $"cannot modify field 'device' or 'bus' of disk '{disk.TargetDev}'");
        var changed = disk with
        {
            SourceType = update.SourceType,
            SourcePath = update.SourcePath,
            DriverType = update.SourcePath is null ? disk.DriverType : update.DriverType ?? disk.DriverType,
        };
        var all = disks.ToArray();
        all[index] = changed;
        return (d with { Devices = d.Devices with { Disks = all } }, changed);
    }
}
