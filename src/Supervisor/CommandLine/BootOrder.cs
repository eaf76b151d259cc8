using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.CommandLine;

/// <summary>
/// The bootindex of each bootable device. Per-device &lt;boot order&gt; wins; otherwise each
/// &lt;os&gt;&lt;boot dev&gt; entry in turn goes to the first device of its kind, as libvirt does
/// (no entry means boot from the first hard disk).
/// </summary>
internal sealed class BootOrder
{
    private readonly Dictionary<object, int> _indexes = new(ReferenceEqualityComparer.Instance);

    public int? IndexOf(object device) => _indexes.TryGetValue(device, out var index) ? index : null;

    public static BootOrder Plan(DomainDefinition def)
    {
        var plan = new BootOrder();
        var devices = def.Devices;
        var perDevice = devices.Disks.Where(d => d.BootOrder is not null).Cast<object>()
            .Concat(devices.Interfaces.Where(i => i.BootOrder is not null))
            .Concat(devices.Redirdevs.Where(r => r.BootOrder is not null)).ToList();
        if (perDevice.Count > 0)
        {
            if (def.Os.BootDevices.Count > 0)
                throw new VirtException(ErrorCode.XmlError, "per-device boot elements cannot be used together with os/boot elements");
            foreach (var disk in devices.Disks.Where(d => d.BootOrder is not null))
                plan.Set(disk, disk.BootOrder!.Value, $"disk '{disk.TargetDev}'");
            foreach (var nic in devices.Interfaces.Where(i => i.BootOrder is not null))
                plan.Set(nic, nic.BootOrder!.Value, $"interface {nic.Mac}");
            foreach (var redir in devices.Redirdevs.Where(r => r.BootOrder is not null))
                plan.Set(redir, redir.BootOrder!.Value, "redirdev");
            return plan;
        }

        IReadOnlyList<BootDevice> order = def.Os.BootDevices.Count > 0 ? def.Os.BootDevices : [BootDevice.HardDisk];
        var next = 1;
        foreach (var kind in order.Distinct())
        {
            object? first = kind switch
            {
                BootDevice.HardDisk => devices.Disks.FirstOrDefault(d => d.Device == DiskDeviceKind.Disk),
                BootDevice.Cdrom => devices.Disks.FirstOrDefault(d => d.Device == DiskDeviceKind.Cdrom),
                BootDevice.Floppy => devices.Disks.FirstOrDefault(d => d.Device == DiskDeviceKind.Floppy),
                BootDevice.Network => devices.Interfaces.FirstOrDefault(),
                _ => null,
            };
            if (first is not null)
                plan._indexes[first] = next++;
        }
        return plan;
    }

    private void Set(object device, int order, string what)
    {
        if (order < 1)
            throw new VirtException(ErrorCode.XmlError, $"{what}: boot order must be a positive number, not {order}");
        if (_indexes.ContainsValue(order))
            throw new VirtException(ErrorCode.XmlError, $"{what}: boot order {order} is used by another device");
        _indexes[device] = order;
    }
}
