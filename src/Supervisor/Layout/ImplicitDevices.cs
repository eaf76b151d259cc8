using Virt.Protocol.Domains;
using Virt.Supervisor.CommandLine;

namespace Virt.Supervisor.Layout;

/// <summary>
/// The devices libvirt adds to every x86 definition of the QEMU driver, so the guest has the same hardware whoever
/// starts it: the root PCI bus, a USB controller, the chipset's disk controller (IDE on pc, SATA on q35), controllers
/// the disks and virtio consoles need, a virtio balloon; and the disks in libvirt's order (by bus, then by target).
/// Controllers go where libvirt inserts them: after the last of their type, else at the end.
/// </summary>
internal static class ImplicitDevices
{
    public static DomainDefinition Complete(DomainDefinition def, MachineFamily family)
    {
        var d = def.Devices;
        // Parsed controllers are inserted one by one as libvirt inserts them: each type in index order.
        var controllers = new List<ControllerDevice>(d.Controllers.Count + 4);
        foreach (var written in d.Controllers)
            Insert(controllers, Defaulted(written));
        var q35 = family == MachineFamily.Q35;

        if (!controllers.Any(c => c.Type == "usb"))
            Insert(controllers, new ControllerDevice { Type = "usb", Index = 0, Model = q35 ? "qemu-xhci" : "piix3-uhci" });
        if (q35)
            AddIfMissing(controllers, "sata", 0);
        else
            AddIfMissing(controllers, "ide", 0);
        var root = controllers.FindIndex(c => c.Type == "pci" && c.Index == 0);
        if (root < 0)
            Insert(controllers, new ControllerDevice { Type = "pci", Index = 0, Model = q35 ? "pcie-root" : "pci-root" });
        else if (controllers[root].Model is null)
            controllers[root] = controllers[root] with { Model = q35 ? "pcie-root" : "pci-root" };

        var disks = Sorted(d.Disks);
        foreach (var disk in disks)
        {
            var type = disk.TargetBus switch
            {
                DiskBus.Ide when !q35 => "ide",
                DiskBus.Sata => "sata",
                DiskBus.Scsi => "scsi",
                DiskBus.Fdc => "fdc",
                _ => null,
            };
            // pc has one IDE and one floppy controller: a disk beyond them is refused by name when its argv is built.
            var index = DrivePlacement.Of(disk).Controller;
            if (type is not null && (index == 0 || type is "sata" or "scsi"))
                AddIfMissing(controllers, type, index);
        }
        // Each virtio console and channel needs the virtio-serial controller its address names (0 when it names none).
        foreach (var port in d.Consoles.Where(c => c.TargetType == "virtio").Concat(d.Channels))
        {
            var index = port.Address is { Type: "virtio-serial" } a && a["controller"] is { } written
                && int.TryParse(written, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : 0;
            AddIfMissing(controllers, "virtio-serial", index);
        }

        // Graphics with no video card get libvirt's default, cirrus; q35's LPC bridge carries an iTCO watchdog libvirt arms.
        var videos = d.Videos.Count == 0 && d.Graphics.Count > 0 ? [new VideoDevice { ModelType = "cirrus" }] : d.Videos.ToList();
        // libvirt keeps the primary card first.
        var primary = videos.FindIndex(v => v.Primary == true);
        if (primary > 0)
            videos = [videos[primary], .. videos.Where((_, i) => i != primary)];
        var watchdog = d.Watchdog ?? (q35 ? new WatchdogDevice { Model = "itco", Action = "reset" } : null);

        return def with
        {
            Devices = d with
            {
                Disks = [.. disks.Select(WithDriveAddress)],
                Controllers = controllers,
                Videos = [.. videos.Select((v, i) => VideoDefaults(v, i == 0))],
                Serials = CompatSerials(d),
                Consoles = CompatConsoles(d),
                Watchdog = watchdog,
                Memballoon = d.Memballoon ?? new MemballoonDevice { Model = "virtio" },
            },
        };
    }

    /// <summary>An IDE, SATA, SCSI or floppy disk's place on its controller, written as libvirt writes it (from its target name).</summary>
    private static DiskDevice WithDriveAddress(DiskDevice disk)
    {
        if (disk.Address is not null || disk.TargetBus is not (DiskBus.Ide or DiskBus.Sata or DiskBus.Scsi or DiskBus.Fdc))
            return disk;
        var p = DrivePlacement.Of(disk);
        static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return disk with
        {
            Address = new DeviceAddress
            {
                Type = "drive",
                Attributes = [new("controller", N(p.Controller)), new("bus", N(p.Bus)), new("target", N(p.Target)), new("unit", N(p.Unit))],
            },
        };
    }

    /// <summary>libvirt's sizes (KiB) and head count for a video model; the first card is the primary one.</summary>
    private static VideoDevice VideoDefaults(VideoDevice v, bool first)
    {
        v = v with { Primary = v.Primary ?? (first ? true : null), Heads = v.Heads ?? (v.ModelType is "none" or "ramfb" ? null : 1) };
        return v.ModelType switch
        {
            "qxl" => v with { Ram = v.Ram ?? 65536, Vram = v.Vram ?? 65536, VgaMem = v.VgaMem ?? 16384 },
            "vga" or "cirrus" or "bochs" => v with { Vram = v.Vram ?? 16384 },
            _ => v,
        };
    }

    /// <summary>A serial-type console without serial ports is serial 0 (libvirt turns it into one): it gets that serial.</summary>
    private static IReadOnlyList<CharDevice> CompatSerials(DeviceSet d) =>
        d.Serials.Count == 0 && d.Consoles.FirstOrDefault() is { TargetType: null or "serial" } console
            ? [console with { TargetType = null, TargetPort = 0, Address = null }]
            : d.Serials;

    /// <summary>
    /// libvirt's compatibility console: with serial ports, console 0 is serial 0 seen again, so a first console of
    /// another kind (virtio) moves to 1 and a definition without consoles gets that one.
    /// </summary>
    private static IReadOnlyList<CharDevice> CompatConsoles(DeviceSet d)
    {
        if (d.Serials.Count == 0)
            return d.Consoles;
        if (d.Consoles.Count > 0 && d.Consoles[0].TargetType is null or "serial")
            return d.Consoles;
        var alias = d.Serials[0] with { TargetType = "serial", TargetPort = d.Serials[0].TargetPort ?? 0, TargetModel = null, Address = null };
        return [alias, .. d.Consoles];
    }

    /// <summary>libvirt's own defaults for a written controller: a modelless USB one is piix3-uhci, a SCSI one lsilogic.</summary>
    private static ControllerDevice Defaulted(ControllerDevice c) => c switch
    {
        { Type: "usb", Model: null } => c with { Model = "piix3-uhci" },
        { Type: "scsi", Model: null } => c with { Model = "lsilogic" },
        _ => c,
    };

    private static void AddIfMissing(List<ControllerDevice> controllers, string type, int index)
    {
        if (!controllers.Any(c => c.Type == type && c.Index == index))
            Insert(controllers, Defaulted(new ControllerDevice { Type = type, Index = index }));
    }

    /// <summary>
    /// After the last controller of the same type with a lower index, before the first with a higher one; a USB2
    /// master goes before the companions of its index.
    /// </summary>
    private static void Insert(List<ControllerDevice> controllers, ControllerDevice added)
    {
        var at = -1;
        for (var i = controllers.Count - 1; i >= 0; i--)
        {
            var current = controllers[i];
            if (current.Type != added.Type)
                continue;
            if (current.Index > added.Index)
                at = i;
            else if (added.MasterStartPort is null && current.MasterStartPort is not null && current.Index == added.Index)
                at = i;
            else if (at == -1)
                at = i + 1;
        }
        controllers.Insert(at == -1 ? controllers.Count : at, added);
    }

    /// <summary>
    /// libvirt inserts each disk before the first disk of its bus with a higher target index, else after the last
    /// of its bus, else at the end: each bus in target order, the buses in the order they first appear.
    /// </summary>
    internal static List<DiskDevice> Sorted(IReadOnlyList<DiskDevice> disks)
    {
        var sorted = new List<DiskDevice>(disks.Count);
        foreach (var disk in disks)
        {
            var at = -1;
            var index = DiskTargetName.Index(disk.TargetDev);
            for (var i = sorted.Count - 1; i >= 0; i--)
            {
                if (sorted[i].TargetBus != disk.TargetBus)
                    continue;
                if (DiskTargetName.Index(sorted[i].TargetDev) > index)
                    at = i;
                else if (at == -1)
                    at = i + 1;
            }
            sorted.Insert(at == -1 ? sorted.Count : at, disk);
        }
        return sorted;
    }
}
