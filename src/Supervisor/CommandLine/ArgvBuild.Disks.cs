using System.Globalization;
using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.CommandLine;

// Disks: one -blockdev storage node (plus a format node unless raw) and one -device front end each.
internal sealed partial class ArgvBuild
{
    private static readonly HashSet<string> ImageFormats = ["raw", "qcow2", "qed", "vmdk", "vdi", "vpc", "vhdx"];

    private void WriteDisks()
    {
        var disks = _def.Devices.Disks;
        var used = new HashSet<(DiskBus, DrivePlacement)>();
        for (var i = 0; i < disks.Count; i++)
        {
            var disk = disks[i];
            var what = $"disk '{disk.TargetDev}'";
            CheckDiskKind(disk, what);
            if (!used.Add((disk.TargetBus, _placements[disk])))
                throw Unsupported($"{what}: another disk already uses the same {disk.TargetBus.ToString().ToLowerInvariant()} address");
            var cache = DiskCache.Of(disk.DriverCache, what);
            var node = WriteBlockdev(disk, cache, DiskNodeNames.Number(i, disks.Count), what);
            WriteDiskDevice(disk, node, cache, DiskTargetName.Index(disk.TargetDev), what);
        }
    }

    private static void CheckDiskKind(DiskDevice disk, string what)
    {
        if (disk.DriverName is not (null or "qemu"))
            throw Unsupported($"{what}: <driver name='{disk.DriverName}'> is not supported; use qemu");
        if ((disk.Device == DiskDeviceKind.Floppy) != (disk.TargetBus == DiskBus.Fdc))
            throw Unsupported($"{what}: floppy disks go on bus 'fdc' and bus 'fdc' takes only floppies");
        if (disk.Device == DiskDeviceKind.Cdrom && disk.TargetBus is DiskBus.Virtio or DiskBus.Usb)
            throw Unsupported($"{what}: a cdrom on bus '{disk.TargetBus.ToString().ToLowerInvariant()}' is not supported; use ide, sata or scsi");
        if (disk.Device == DiskDeviceKind.Disk && disk.ReadOnly && disk.TargetBus is DiskBus.Ide or DiskBus.Sata)
            throw Unsupported($"{what}: readonly disks are not supported on bus '{disk.TargetBus.ToString().ToLowerInvariant()}' (IDE has no read-only hard disk)");
        if (disk.Device == DiskDeviceKind.Disk && disk.SourcePath is null && disk.NetworkSource is null)
            throw Unsupported($"{what}: a disk needs a <source>; only cdrom and floppy can be empty");
    }

    /// <summary>Writes the backend nodes and returns the node name the front end attaches to, or null for an empty drive.</summary>
    private string? WriteBlockdev(DiskDevice disk, DiskCache? cache, int number, string what)
    {
        var readOnly = disk.ReadOnly || disk.Device == DiskDeviceKind.Cdrom;
        var storageName = DiskNodeNames.Storage(number);
        JsonObject storage;
        if (disk.SourceType == DiskSourceType.Network)
        {
            storage = NetworkStorage(disk.NetworkSource ?? throw Unsupported($"{what}: <disk type='network'> has no <source protocol=...>"), what);
        }
        else if (disk.SourcePath is { } path)
        {
            // As libvirt: host_cdrom only for a cdrom whose source really is a CD-ROM drive (it follows media changes).
            var driver = disk.SourceType == DiskSourceType.Block
                ? (disk.Device == DiskDeviceKind.Cdrom && BlockDevices.IsCdrom(path) ? "host_cdrom" : "host_device")
                : "file";
            storage = new JsonObject { ["driver"] = driver, ["filename"] = path };
        }
        else
        {
            return null;
        }
        var format = disk.DriverType is null or "iso" ? "raw" : disk.DriverType;
        if (!ImageFormats.Contains(format))
            throw Unsupported($"{what}: <driver type='{format}'> is not supported; use one of {string.Join(", ", ImageFormats)}");
        storage["node-name"] = storageName;
        if (disk.Io is { } io)
            storage["aio"] = io;
        storage["read-only"] = readOnly;
        AddCache(storage, cache);
        // As libvirt: under a format node the file passes every discard down and the format node decides.
        if (format == "raw")
            AddDiscard(storage, disk);
        else if (disk.SourceType != DiskSourceType.Network)
            storage["discard"] = "unmap";
        _argv.Json("-blockdev", storage);
        if (format == "raw")
            return storageName;
        var formatNode = new JsonObject { ["node-name"] = DiskNodeNames.Format(number), ["read-only"] = readOnly };
        AddCache(formatNode, cache);
        AddDiscard(formatNode, disk);
        formatNode["driver"] = format;
        formatNode["file"] = storageName;
        _argv.Json("-blockdev", formatNode);
        return DiskNodeNames.Format(number);
    }

    private static JsonObject NetworkStorage(NetworkDiskSource source, string what)
    {
        var host = source.Hosts.FirstOrDefault() ?? throw Unsupported($"{what}: <source protocol='{source.Protocol}'> needs a <host>");
        if (source.Hosts.Count > 1)
            throw Unsupported($"{what}: <source protocol='{source.Protocol}'> with more than one <host> is not supported");
        switch (source.Protocol)
        {
            case "nbd":
                var nbd = new JsonObject
                {
                    ["driver"] = "nbd",
                    ["server"] = new JsonObject { ["type"] = "inet", ["host"] = host.Name, ["port"] = host.Port ?? "10809" },
                };
                if (source.Name is not null)
                    nbd["export"] = source.Name;
                return nbd;
            case "iscsi":
                // libvirt's name is "IQN/LUN"; the LUN defaults to 0.
                var name = source.Name ?? throw Unsupported($"{what}: <source protocol='iscsi'> needs name='IQN/LUN'");
                var slash = name.LastIndexOf('/');
                var lun = 0;
                if (slash >= 0 && !int.TryParse(name[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out lun))
                    throw Unsupported($"{what}: iscsi name '{name}' does not end in /LUN");
                return new JsonObject
                {
                    ["driver"] = "iscsi",
                    ["portal"] = $"{host.Name}:{host.Port ?? "3260"}",
                    ["target"] = slash >= 0 ? name[..slash] : name,
                    ["lun"] = lun,
                    ["transport"] = "tcp",
                };
            default:
                throw Unsupported($"{what}: network disk protocol '{source.Protocol}' is not supported; use nbd or iscsi");
        }
    }

    /// <summary>discard and detect-zeroes as libvirt writes them: zeroes become discards only where discard is unmap.</summary>
    private static void AddDiscard(JsonObject node, DiskDevice disk)
    {
        if (disk.Discard is { } discard)
            node["discard"] = discard;
        if (disk.DetectZeroes is { } zeroes)
            node["detect-zeroes"] = zeroes == "unmap" && disk.Discard != "unmap" ? "on" : zeroes;
    }

    private static void AddCache(JsonObject node, DiskCache? cache)
    {
        if (cache is not null)
            node["cache"] = new JsonObject { ["direct"] = cache.Direct, ["no-flush"] = cache.NoFlush };
    }

    private void WriteDiskDevice(DiskDevice disk, string? node, DiskCache? cache, int index, string what)
    {
        var p = _placements[disk];
        var cd = disk.Device == DiskDeviceKind.Cdrom;
        JsonObject device;
        switch (disk.TargetBus)
        {
            case DiskBus.Ide:
                if (_family == MachineFamily.Q35)
                    throw Unsupported($"{what}: IDE is unsupported on machine '{_machine.Name}' (q35); use bus 'sata'");
                if (p.Controller != 0 || p.Bus > 1 || p.Unit > 1 || p.Target != 0)
                    throw Unsupported($"{what}: IDE address {p.Controller}:{p.Bus}:{p.Unit} is beyond the 2 buses of 2 units on pc");
                device = new JsonObject { ["driver"] = cd ? "ide-cd" : "ide-hd", ["bus"] = $"ide.{p.Bus}", ["unit"] = p.Unit, ["id"] = DiskDeviceIds.Of(disk) };
                break;
            case DiskBus.Sata:
                if (p.Unit > 5 || p.Bus != 0 || p.Target != 0)
                    throw Unsupported($"{what}: SATA unit {p.Unit} is beyond the 6 ports of an AHCI controller");
                device = new JsonObject { ["driver"] = cd ? "ide-cd" : "ide-hd", ["bus"] = $"{_sataBusPrefix[p.Controller]}.{p.Unit}", ["id"] = DiskDeviceIds.Of(disk) };
                break;
            case DiskBus.Scsi:
                device = new JsonObject { ["driver"] = cd ? "scsi-cd" : "scsi-hd", ["bus"] = $"scsi{p.Controller}.{p.Bus}" };
                if (_scsiModel[p.Controller] == "lsi")
                {
                    if (p.Unit > 6 || p.Target != 0 || p.Bus != 0)
                        throw Unsupported($"{what}: an lsilogic controller takes units 0-6 on bus 0 target 0");
                    device["scsi-id"] = p.Unit;
                }
                else
                {
                    device["channel"] = 0;
                    device["scsi-id"] = p.Target;
                    device["lun"] = p.Unit;
                }
                // libvirt's names: lsi has no targets, so its disks are controller-bus-unit.
                device["id"] = _scsiModel[p.Controller] == "lsi"
                    ? $"scsi{p.Controller}-{p.Bus}-{p.Unit}"
                    : $"scsi{p.Controller}-{p.Bus}-{p.Target}-{p.Unit}";
                break;
            case DiskBus.Virtio:
                device = new JsonObject { ["driver"] = "virtio-blk-pci" };
                _pci.Place(device, disk.Address, what);
                device["id"] = $"virtio-disk{index}";
                break;
            case DiskBus.Usb:
                device = new JsonObject { ["driver"] = "usb-storage" };
                PlaceOnUsb(device, disk.Address, what);
                device["id"] = $"usb-disk{index}";
                device["removable"] = false;
                if (node is null)
                    throw Unsupported($"{what}: an empty USB disk is not supported");
                break;
            case DiskBus.Fdc:
                if (p.Unit > 1 || p.Controller != 0)
                    throw Unsupported($"{what}: the floppy controller has units 0 and 1 only");
                device = new JsonObject { ["driver"] = "floppy", ["unit"] = p.Unit, ["id"] = DiskDeviceIds.Of(disk) };
                // The floppy's boot position is a property of the controller, one per unit (on q35 set on its isa-fdc).
                if (_family == MachineFamily.I440fx && _boot.IndexOf(disk) is { } floppyBoot)
                    _argv.Add("-global", $"isa-fdc.bootindex{(p.Unit == 0 ? 'A' : 'B')}={floppyBoot}");
                break;
            default:
                throw Unsupported($"{what}: bus '{disk.TargetBus}' is not supported");
        }
        if (node is not null)
            device["drive"] = node;
        if (disk.TargetBus != DiskBus.Fdc && _boot.IndexOf(disk) is { } bootIndex)
            device["bootindex"] = bootIndex;
        if (cache is not null)
            device["write-cache"] = cache.WriteCache ? "on" : "off";
        _argv.Json("-device", device);
    }
}
