using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.CommandLine;

/// <summary>Where a disk sits on its bus: libvirt's &lt;address type='drive'&gt;, written or derived from the target name.</summary>
internal sealed record DrivePlacement(int Controller, int Bus, int Target, int Unit)
{
    public static DrivePlacement Of(DiskDevice disk)
    {
        if (disk.Address is { Type: "drive" } written)
        {
            return new DrivePlacement(Number(written, "controller"), Number(written, "bus"),
                Number(written, "target"), Number(written, "unit"));
        }
        var index = DiskTargetName.Index(disk.TargetDev);
        // libvirt's defaults: IDE has 2 buses of 2 units, AHCI 6 ports, SCSI 7 units per controller, fdc 2 units.
        return disk.TargetBus switch
        {
            DiskBus.Ide => new DrivePlacement(index / 4, index % 4 / 2, 0, index % 2),
            DiskBus.Sata => new DrivePlacement(index / 6, 0, 0, index % 6),
            DiskBus.Scsi => new DrivePlacement(index / 7, 0, 0, index % 7),
            DiskBus.Fdc => new DrivePlacement(index / 2, 0, 0, index % 2),
            _ => new DrivePlacement(0, 0, 0, index),
        };
    }

    private static int Number(DeviceAddress address, string name)
    {
        var text = address[name];
        if (text is null)
            return 0;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new VirtException(ErrorCode.XmlError, $"<address type='drive'> attribute {name}='{text}' is not a number");
    }
}
