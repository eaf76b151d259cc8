using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Attach;

internal sealed partial class ArgvConversion
{
    /// <summary>A disk whose target name is decided once all disks are known (explicit indexes first, then the free ones in order).</summary>
    private sealed record PendingDisk(DiskDevice Disk, string Prefix, int? Index);

    /// <summary>What a -drive or a -blockdev chain says about the host side of a disk.</summary>
    private sealed record DiskSource(DiskSourceType Type, string? Path, NetworkDiskSource? Network, string? Format,
        string? Cache, bool? Direct, bool? NoFlush, bool ReadOnly, DiskDeviceKind? Media);

    private static readonly HashSet<string> FormatDrivers = new(StringComparer.Ordinal)
    {
        "raw", "qcow2", "qcow", "qed", "vmdk", "vdi", "vpc", "vhdx", "cloop", "dmg", "parallels", "bochs", "luks",
    };

    private static readonly string[] CacheModes = ["none", "writeback", "writethrough", "directsync", "unsafe", "default"];

    private readonly List<PendingDisk> _disks = [];
    private readonly int?[] _floppyBootIndex = new int?[2];

    private void Drive(ArgvOption o)
    {
        var v = QemuOptionValue.Parse(o.Name, Value(o), "file");
        var iface = v.Take("if") ?? "ide";
        if (iface == "none")
            return; // a backend for -device, collected before
        var source = ReadDrive(v);
        var index = v.TakeInt("index");
        var bus = v.TakeInt("bus");
        var unit = v.TakeInt("unit");
        v.Ignore("id");
        DiskBus diskBus;
        string prefix;
        switch (iface)
        {
            case "ide":
                (diskBus, prefix) = (IsQ35 ? DiskBus.Sata : DiskBus.Ide, IsQ35 ? "sd" : "hd");
                index ??= bus is not null || unit is not null ? (bus ?? 0) * (IsQ35 ? 1 : 2) + (unit ?? 0) : null;
                break;
            case "scsi":
                (diskBus, prefix) = (DiskBus.Scsi, "sd");
                index ??= bus is not null || unit is not null ? (bus ?? 0) * 7 + (unit ?? 0) : null;
                break;
            case "virtio":
                (diskBus, prefix) = (DiskBus.Virtio, "vd");
                break;
            case "floppy":
                (diskBus, prefix) = (DiskBus.Fdc, "fd");
                index ??= unit;
                break;
            default:
                PassThrough(o); // sd, mtd, pflash, xen: buses the model does not have
                return;
        }
        if (source is null || v.Unused.Count > 0)
        {
            PassThrough(o);
            return;
        }
        var kind = iface == "floppy" ? DiskDeviceKind.Floppy : source.Media ?? DiskDeviceKind.Disk;
        AddDisk(o, source, kind, diskBus, prefix, index, bootOrder: null, address: null);
    }

    private void LegacyDisk(ArgvOption o, string prefix, int index, DiskDeviceKind kind, DiskBus bus)
    {
        var path = Value(o);
        if (bus == DiskBus.Ide && IsQ35)
            (bus, prefix) = (DiskBus.Sata, "sd");
        var source = new DiskSource(SourceTypeOf(path), path, null, null, null, null, null, kind == DiskDeviceKind.Cdrom, kind);
        AddDisk(o, source, kind, bus, prefix, index, null, null);
    }

    private void AddDisk(ArgvOption o, DiskSource source, DiskDeviceKind kind, DiskBus bus, string prefix, int? index, int? bootOrder, DeviceAddress? address)
    {
        if (source.Path is null && source.Network is null && kind == DiskDeviceKind.Disk)
            throw new VirtException(ErrorCode.XmlError, $"option -{o.Name} '{o.Value}': a hard disk needs an image (file=...); only a cdrom or floppy may be empty");
        var cache = source.Cache;
        var disk = new DiskDevice
        {
            SourceType = source.Type,
            Device = kind,
            SourcePath = string.IsNullOrEmpty(source.Path) ? null : source.Path,
            NetworkSource = source.Network,
            DriverName = source.Format is not null || cache is not null ? "qemu" : null,
            DriverType = source.Format,
            DriverCache = cache,
            TargetDev = "",
            TargetBus = bus,
            ReadOnly = source.ReadOnly || kind == DiskDeviceKind.Cdrom,
            BootOrder = bootOrder,
            Address = address,
        };
        _disks.Add(new PendingDisk(disk, prefix, index));
    }

    /// <summary>The host side of a -drive: file=, format=, cache=, readonly=, media=.</summary>
    private static DiskSource? ReadDrive(QemuOptionValue v)
    {
        var path = v.Take("file");
        var format = v.Take("format");
        var cache = v.Take("cache");
        if (cache is not null && !CacheModes.Contains(cache))
            throw v.Invalid("cache", cache, string.Join(", ", CacheModes));
        var readOnly = v.TakeBool("readonly") ?? false;
        var media = v.Take("media") switch
        {
            null => (DiskDeviceKind?)null,
            "disk" => DiskDeviceKind.Disk,
            "cdrom" => DiskDeviceKind.Cdrom,
            var other => throw v.Invalid("media", other, "disk or cdrom"),
        };
        v.IgnoreIf("snapshot", "off");
        if (path is not null && path.Contains(':', StringComparison.Ordinal) && !path.StartsWith('/'))
            return null; // a protocol URL (nbd:, iscsi:...) in the legacy syntax: kept as written
        return new DiskSource(SourceTypeOf(path), path, null, format, cache, null, null, readOnly, media);
    }

    /// <summary>libvirt's rule for an image path without a driver: anything under /dev is a block device.</summary>
    private static DiskSourceType SourceTypeOf(string? path) =>
        path is not null && path.StartsWith("/dev/", StringComparison.Ordinal) ? DiskSourceType.Block : DiskSourceType.File;

    /// <summary>Follows a -blockdev chain from its top node: an optional format layer over a file, host device or nbd node.</summary>
    private DiskSource? ReadBlockdev(string nodeName, List<ArgvOption> used)
    {
        if (!_blockdevs.TryGetValue(nodeName, out var node))
            return null;
        used.Add(node.Option);
        var v = node.Value;
        var driver = v.Take("driver");
        if (driver is not null && FormatDrivers.Contains(driver))
        {
            var readOnly = v.TakeBool("read-only") ?? false;
            var direct = v.TakeBool("cache.direct");
            var noFlush = v.TakeBool("cache.no-flush");
            DiskSource? storage = v.Take("file") is { } child ? ReadBlockdev(child, used) : ReadStorage(v, "file.");
            if (storage is null || v.Unused.Count > 0)
                return null;
            return storage with
            {
                Format = driver,
                ReadOnly = readOnly || storage.ReadOnly,
                Direct = direct ?? storage.Direct,
                NoFlush = noFlush ?? storage.NoFlush,
            };
        }
        var result = ReadStorage(v, "");
        return v.Unused.Count > 0 ? null : result;
    }

    private static DiskSource? ReadStorage(QemuOptionValue v, string prefix)
    {
        var driver = v.Take(prefix + "driver");
        var readOnly = v.TakeBool(prefix + "read-only") ?? false;
        var direct = v.TakeBool(prefix + "cache.direct");
        var noFlush = v.TakeBool(prefix + "cache.no-flush");
        // libvirt's own defaults on every storage node; they do not change what the guest sees.
        v.Ignore(prefix + "auto-read-only", prefix + "node-name");
        v.IgnoreIf(prefix + "discard", "unmap", "ignore");
        switch (driver)
        {
            case "file":
                return new DiskSource(DiskSourceType.File, v.Take(prefix + "filename"), null, null, null, direct, noFlush, readOnly, null);
            case "host_device" or "host_cdrom":
                return new DiskSource(DiskSourceType.Block, v.Take(prefix + "filename"), null, null, null, direct, noFlush, readOnly, null);
            case "nbd":
                v.IgnoreIf(prefix + "server.type", "inet");
                var host = v.Take(prefix + "server.host");
                if (host is null)
                    return null;
                var network = new NetworkDiskSource
                {
                    Protocol = "nbd",
                    Name = v.Take(prefix + "export"),
                    Hosts = [new NetworkHost(host, v.Take(prefix + "server.port"))],
                };
                return new DiskSource(DiskSourceType.Network, null, network, null, null, direct, noFlush, readOnly, null);
            default:
                return null;
        }
    }

    /// <summary>libvirt's cache modes as QEMU spells them: cache.direct, cache.no-flush and the device's write-cache.</summary>
    private static string? CacheMode(bool? direct, bool? noFlush, bool? writeCache)
    {
        if (direct is null && noFlush is null && writeCache is null)
            return null;
        if (noFlush == true)
            return "unsafe";
        return (direct ?? false, writeCache ?? true) switch
        {
            (false, true) => "writeback",
            (true, true) => "none",
            (false, false) => "writethrough",
            (true, false) => "directsync",
        };
    }

    /// <summary>-device ide-hd/ide-cd/scsi-hd/scsi-cd/virtio-blk-pci/usb-storage/floppy with drive= naming a -drive id or a -blockdev node.</summary>
    private void DiskDevice(ArgvOption o, QemuOptionValue v, string driver)
    {
        var used = new List<ArgvOption>();
        DiskSource source;
        if (v.Take("drive") is { } drive)
        {
            DiskSource? found = null;
            if (_drives.TryGetValue(drive, out var legacy))
            {
                used.Add(legacy.Option);
                legacy.Value.Ignore("if");
                found = ReadDrive(legacy.Value);
                if (legacy.Value.Unused.Count > 0)
                    found = null;
            }
            else if (_blockdevs.ContainsKey(drive))
            {
                found = ReadBlockdev(drive, used);
            }
            else
            {
                throw new VirtException(ErrorCode.XmlError, $"option -device {driver}: drive '{drive}' is neither a -drive id nor a -blockdev node-name on the command line");
            }
            if (found is null)
            {
                PassThrough(o);
                return;
            }
            source = found;
        }
        else
        {
            source = new DiskSource(DiskSourceType.File, null, null, null, null, null, null, false, null);
        }
        var writeCache = v.TakeBool("write-cache");
        var cache = source.Cache ?? CacheMode(source.Direct, source.NoFlush, writeCache);
        source = source with { Cache = cache };
        var bootOrder = v.TakeInt("bootindex");
        v.Ignore("id", "device_id", "serial");
        v.IgnoreIf("removable", "off");

        DiskBus bus;
        string prefix;
        int? index = null;
        DeviceAddress? address = null;
        var kind = driver is "ide-cd" or "scsi-cd" ? DiskDeviceKind.Cdrom : source.Media ?? DiskDeviceKind.Disk;
        switch (driver)
        {
            case "ide-hd" or "ide-cd" or "ide-drive":
                var ideBus = v.Take("bus");
                var unit = v.TakeInt("unit") ?? 0;
                if (ideBus is not null && ideBus.StartsWith("sata", StringComparison.Ordinal) || IsQ35)
                {
                    (bus, prefix) = (DiskBus.Sata, "sd");
                    index = ideBus is null ? null : BusNumber(v, ideBus);
                }
                else
                {
                    (bus, prefix) = (DiskBus.Ide, "hd");
                    index = ideBus is null ? null : BusNumber(v, ideBus) * 2 + unit;
                }
                break;
            case "scsi-hd" or "scsi-cd" or "scsi-disk":
                (bus, prefix) = (DiskBus.Scsi, "sd");
                var scsiBus = v.Take("bus");
                var controller = scsiBus is null ? 0 : ControllerNumber(scsiBus);
                var scsiId = v.TakeInt("scsi-id") ?? v.TakeInt("unit");
                v.IgnoreIf("lun", "0");
                v.IgnoreIf("channel", "0");
                index = scsiId is null ? null : controller * 7 + scsiId;
                break;
            case "virtio-blk-pci" or "virtio-blk":
                (bus, prefix) = (DiskBus.Virtio, "vd");
                address = PciAddress(v);
                break;
            case "usb-storage":
                (bus, prefix) = (DiskBus.Usb, "sd");
                v.Ignore("bus", "port");
                break;
            default: // floppy
                (bus, prefix, kind) = (DiskBus.Fdc, "fd", DiskDeviceKind.Floppy);
                index = v.TakeInt("unit");
                break;
        }
        if (v.Unused.Count > 0)
        {
            PassThrough(o);
            return;
        }
        _usedBackends.UnionWith(used);
        AddDisk(o, source, kind, bus, prefix, index, bootOrder, address);
    }

    /// <summary>The N in a bus name such as ide.N or sata0.N.</summary>
    private static int BusNumber(QemuOptionValue v, string bus)
    {
        var dot = bus.LastIndexOf('.');
        return dot >= 0 && int.TryParse(bus[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw v.Invalid("bus", bus, "a bus name such as ide.0");
    }

    /// <summary>The controller number in scsi0.0 (the digits before the dot).</summary>
    private static int ControllerNumber(string bus)
    {
        var dot = bus.IndexOf('.');
        var name = dot < 0 ? bus : bus[..dot];
        var digits = new string(name.Reverse().TakeWhile(char.IsAsciiDigit).Reverse().ToArray());
        return digits.Length > 0 ? int.Parse(digits, CultureInfo.InvariantCulture) : 0;
    }

    private List<DiskDevice> BuildDisks()
    {
        var taken = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        HashSet<int> Taken(string prefix) => taken.TryGetValue(prefix, out var set) ? set : taken[prefix] = [];
        foreach (var pending in _disks.Where(p => p.Index is not null))
            Taken(pending.Prefix).Add(pending.Index!.Value);
        var result = new List<DiskDevice>();
        foreach (var pending in _disks)
        {
            var index = pending.Index;
            if (index is null)
            {
                var set = Taken(pending.Prefix);
                index = 0;
                while (set.Contains(index.Value))
                    index++;
                set.Add(index.Value);
            }
            var disk = pending.Disk with { TargetDev = pending.Prefix + DiskLetters(index.Value) };
            disk = disk with { Address = disk.Address ?? DriveAddress(disk.TargetBus, index.Value) };
            if (disk.TargetBus == DiskBus.Fdc && index.Value < 2 && _floppyBootIndex[index.Value] is int order)
                disk = disk with { BootOrder = order };
            result.Add(disk);
        }
        return result;
    }

    /// <summary>0 is a, 25 is z, 26 is aa: libvirt's disk name letters.</summary>
    internal static string DiskLetters(int index)
    {
        var letters = "";
        for (var i = index; i >= 0; i = i / 26 - 1)
            letters = (char)('a' + i % 26) + letters;
        return letters;
    }

    private static DeviceAddress? DriveAddress(DiskBus bus, int index)
    {
        var (controller, busNo, unit) = bus switch
        {
            DiskBus.Ide => (0, index / 2, index % 2),
            DiskBus.Sata => (index / 6, 0, index % 6),
            DiskBus.Scsi => (index / 7, 0, index % 7),
            DiskBus.Fdc => (0, 0, index),
            _ => (-1, 0, 0),
        };
        if (controller < 0)
            return null;
        return new DeviceAddress
        {
            Type = "drive",
            Attributes =
            [
                new("controller", controller.ToString(CultureInfo.InvariantCulture)),
                new("bus", busNo.ToString(CultureInfo.InvariantCulture)),
                new("target", "0"),
                new("unit", unit.ToString(CultureInfo.InvariantCulture)),
            ],
        };
    }
}
