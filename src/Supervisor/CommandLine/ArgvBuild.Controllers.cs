using System.Text.Json.Nodes;
using Virt.Protocol.Domains;

namespace Virt.Supervisor.CommandLine;

// Controllers: the ones written in the definition plus the ones its disks need, as libvirt adds them.
internal sealed partial class ArgvBuild
{
    private string? _usbBus;
    private readonly Dictionary<int, string> _sataBusPrefix = [];
    private readonly Dictionary<int, string> _scsiModel = [];
    private readonly Dictionary<DiskDevice, DrivePlacement> _placements = new(ReferenceEqualityComparer.Instance);
    private bool _hasVirtioSerial;

    private void WriteControllers()
    {
        foreach (var disk in _def.Devices.Disks)
            _placements[disk] = DrivePlacement.Of(disk);
        var declared = _def.Devices.Controllers;
        foreach (var controller in declared)
            CheckControllerKind(controller);

        WriteUsbController(declared.Where(c => c.Type == "usb").ToList());

        var sataIndexes = declared.Where(c => c.Type == "sata").Select(c => c.Index)
            .Concat(DisksOn(DiskBus.Sata).Select(d => _placements[d].Controller)).Distinct().Order();
        foreach (var index in sataIndexes)
        {
            if (_family == MachineFamily.Q35 && index == 0)
            {
                _sataBusPrefix[index] = "ide"; // q35's built-in ICH9 AHCI names its ports ide.0 ... ide.5
                continue;
            }
            var written = declared.FirstOrDefault(c => c.Type == "sata" && c.Index == index);
            var ahci = new JsonObject { ["driver"] = "ahci", ["id"] = $"sata{index}" };
            _pci.Place(ahci, written?.Address, $"sata controller {index}");
            _argv.Json("-device", ahci);
            _sataBusPrefix[index] = $"sata{index}";
        }

        var scsiIndexes = declared.Where(c => c.Type == "scsi").Select(c => c.Index)
            .Concat(DisksOn(DiskBus.Scsi).Select(d => _placements[d].Controller)).Distinct().Order();
        foreach (var index in scsiIndexes)
        {
            var written = declared.FirstOrDefault(c => c.Type == "scsi" && c.Index == index);
            var driver = (written?.Model ?? "lsilogic") switch
            {
                "lsilogic" => "lsi",
                "virtio-scsi" => "virtio-scsi-pci",
                var model => throw Unsupported($"<controller type='scsi' index='{index}' model='{model}'> is not supported; use lsilogic or virtio-scsi"),
            };
            var device = new JsonObject { ["driver"] = driver, ["id"] = $"scsi{index}" };
            _pci.Place(device, written?.Address, $"scsi controller {index}");
            _argv.Json("-device", device);
            _scsiModel[index] = driver;
        }

        foreach (var serial in declared.Where(c => c.Type == "virtio-serial"))
            WriteVirtioSerial(serial.Index, serial.Address);

        if (_family == MachineFamily.Q35 && DisksOn(DiskBus.Fdc).Any())
            _argv.Json("-device", new JsonObject { ["driver"] = "isa-fdc", ["id"] = "fdc0" }); // q35 has no built-in floppy controller
    }

    private void CheckControllerKind(ControllerDevice controller)
    {
        var where = $"<controller type='{controller.Type}' index='{controller.Index}'>";
        switch (controller.Type)
        {
            case "usb" or "sata" or "scsi" or "virtio-serial":
                break;
            case "ide" when _family == MachineFamily.Q35:
                throw Unsupported($"{where}: IDE controllers are unsupported on machine '{_machine.Name}' (q35); use sata");
            case "ide" or "fdc" when controller.Index != 0:
                throw Unsupported($"{where}: machine '{_machine.Name}' has only one built-in {controller.Type} controller");
            case "ide" or "fdc":
                break;
            case "pci" when controller.Model is "pci-root" && _family == MachineFamily.I440fx:
            case "pci" when controller.Model is "pcie-root" && _family == MachineFamily.Q35:
            case "pci" when controller.Model is null && controller.Index == 0:
                break;
            default:
                throw Unsupported($"{where}{(controller.Model is null ? "" : $" model '{controller.Model}'")} is not supported; devices go on the root PCI bus");
        }
    }

    /// <summary>
    /// One USB bus per index: its controller, or an ich9-ehci1 with its UHCI companions in one PCI slot (EHCI at
    /// function 7, UHCI1-3 at 0-2), as libvirt places them. Without any written, pc and q35 get libvirt's default.
    /// </summary>
    private void WriteUsbController(IReadOnlyList<ControllerDevice> usb)
    {
        if (usb.Count == 0)
            usb = [new ControllerDevice { Type = "usb", Model = _family == MachineFamily.Q35 ? "qemu-xhci" : "piix3-uhci" }];
        if (usb.Any(c => c.Model == "none"))
        {
            if (usb.Count > 1)
                throw Unsupported("<controller type='usb' model='none'> cannot be combined with other USB controllers");
            return;
        }
        var groups = usb.GroupBy(c => c.Index).OrderBy(g => g.Key).ToList();
        var usb2Groups = 0;
        foreach (var group in groups)
        {
            var members = group.ToList();
            var master = members.FirstOrDefault(c => !IsCompanion(c));
            var id = group.Key == 0 ? "usb" : $"usb{group.Key}";
            if (members.Count == 1 && master is not null && !ControllerIndexes.IsUsb2(master))
            {
                WriteSingleUsbController(master, id);
                continue;
            }
            if (master is null || master.Model != "ich9-ehci1" || members.Any(c => !ControllerIndexes.IsUsb2(c)))
                throw Unsupported($"<controller type='usb' index='{group.Key}'>: USB companions (ich9-uhci1, 2, 3) need one ich9-ehci1 master at their index, and nothing else");
            var written = members.Select(c => c.Address).FirstOrDefault(a => a?.Type == "pci");
            // q35 keeps its first two USB2 sets where real ICH9 boards have them, 00:1d and 00:1a, when they are free.
            int? preferred = _family == MachineFamily.Q35 ? usb2Groups switch { 0 => 0x1d, 1 => 0x1a, _ => null } : null;
            usb2Groups++;
            var slot = written is null ? _pci.ReserveSlot(preferred, $"usb controller {group.Key}") : (int?)null;
            foreach (var controller in members.OrderBy(c => c.Model == "ich9-ehci1" ? 0 : 1).ThenBy(c => c.Model, StringComparer.Ordinal))
            {
                var device = new JsonObject { ["driver"] = controller.Model == "ich9-ehci1" ? "ich9-usb-ehci1" : "ich9-usb-" + controller.Model![5..] };
                if (controller == master)
                {
                    device["id"] = id;
                }
                else
                {
                    device["masterbus"] = $"{id}.0";
                    device["firstport"] = controller.MasterStartPort ?? 0;
                }
                var function = controller.Model switch { "ich9-ehci1" => 7, "ich9-uhci1" => 0, "ich9-uhci2" => 1, _ => 2 };
                if (controller.Address is { Type: "pci" })
                    _pci.Place(device, controller.Address, $"usb controller {group.Key}");
                else
                    _pci.PlaceInSlot(device, slot ?? PciSlotAllocator.SlotOf(written!, $"usb controller {group.Key}"), function, multifunction: function == 0);
                _argv.Json("-device", device);
            }
            if (group.Key == 0)
                _usbBus = "usb.0";
        }
    }

    private static bool IsCompanion(ControllerDevice c) => ControllerIndexes.DefaultStartPort(c.Model) is not null;

    private void WriteSingleUsbController(ControllerDevice controller, string id)
    {
        var model = controller.Model ?? "piix3-uhci"; // libvirt's default model on x86, also on q35 when written without one
        var driver = model switch
        {
            "piix3-uhci" => "piix3-usb-uhci",
            "piix4-uhci" => "piix4-usb-uhci",
            "ehci" => "usb-ehci",
            "nec-xhci" => "nec-usb-xhci",
            "qemu-xhci" => "qemu-xhci",
            _ => throw Unsupported($"<controller type='usb' model='{model}'> is not supported"),
        };
        var device = new JsonObject { ["driver"] = driver, ["id"] = id };
        // On pc the PIIX3 UHCI function lives in the south bridge's slot 1, function 2.
        if (controller.Address is null && driver == "piix3-usb-uhci" && _family == MachineFamily.I440fx && controller.Index == 0)
            _pci.PlaceFixed(device, 1, 2);
        else
            _pci.Place(device, controller.Address, $"usb controller {controller.Index}");
        _argv.Json("-device", device);
        if (controller.Index == 0)
            _usbBus = "usb.0";
    }

    private void WriteVirtioSerial(int index, DeviceAddress? address)
    {
        var device = new JsonObject { ["driver"] = "virtio-serial-pci", ["id"] = $"virtio-serial{index}" };
        _pci.Place(device, address, $"virtio-serial controller {index}");
        _argv.Json("-device", device);
        _hasVirtioSerial |= index == 0;
    }

    private IEnumerable<DiskDevice> DisksOn(DiskBus bus) => _def.Devices.Disks.Where(d => d.TargetBus == bus);

    private string RequireUsbBus(string what) =>
        _usbBus ?? throw Unsupported($"{what} needs a USB controller at index 0, but the domain has none (<controller type='usb' model='none'>)");
}
