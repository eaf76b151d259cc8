using Virt.Protocol.Domains;

namespace Virt.Supervisor.CommandLine;

/// <summary>
/// libvirt's device ids of the disks whose id follows from their own address alone (IDE, SATA, floppy): a start names
/// the -device so, and a media change addresses the same device by it.
/// </summary>
public static class DiskDeviceIds
{
    public static string? Of(DiskDevice disk)
    {
        var p = DrivePlacement.Of(disk);
        return disk.TargetBus switch
        {
            DiskBus.Ide => $"ide{p.Controller}-{p.Bus}-{p.Unit}",
            DiskBus.Sata => $"sata{p.Controller}-0-{p.Unit}",
            DiskBus.Fdc => $"fdc0-0-{p.Unit}",
            _ => null,
        };
    }
}
