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
        WritePciControllers(declared.Where(c => c.Type == "pci" && c.Index > 0).OrderBy(c => c.Index));

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
                "lsilogic" or "auto" => "lsi", // auto: libvirt's default for x86, lsilogic
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
        WriteHubs();

        // q35 has no built-in floppy controller: it is an ISA device there, and the floppies' boot positions its properties.
        if (_family == MachineFamily.Q35 && DisksOn(DiskBus.Fdc).Any())
        {
            var fdc = new JsonObject { ["driver"] = "isa-fdc" };
            foreach (var floppy in DisksOn(DiskBus.Fdc))
            {
                if (_boot.IndexOf(floppy) is { } boot)
                    fdc[_placements[floppy].Unit == 0 ? "bootindexA" : "bootindexB"] = boot;
            }
            _argv.Json("-device", fdc);
        }
        // pc's root bus announces its slots to the guest's ACPI as hot-pluggable unless its <target hotplug='off'/> says otherwise.
        if (_family == MachineFamily.I440fx && declared.FirstOrDefault(c => c.Type == "pci" && c.Index == 0)?.Pci?.Hotplug is { } rootHotplug)
            _argv.Add("-global", $"PIIX4_PM.acpi-root-pci-hotplug={(rootHotplug ? "on" : "off")}");
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
            case "pci" when controller.Index > 0 && controller.Model is "pci-bridge" or "dmi-to-pci-bridge" or "pcie-to-pci-bridge":
            case "pci" when controller.Index > 0 && _family == MachineFamily.Q35
                && controller.Model is "pcie-root-port" or "pcie-switch-upstream-port" or "pcie-switch-downstream-port":
                break;
            default:
                throw Unsupported($"{where}{(controller.Model is null ? "" : $" model '{controller.Model}'")} is not supported on machine '{_machine.Name}'");
        }
    }

    /// <summary>
    /// The PCI controllers below the root, in index order so each bus exists before what plugs into it: libvirt's
    /// QEMU devices, ids pci.N, and a root port's chassis and port.
    /// </summary>
    private void WritePciControllers(IEnumerable<ControllerDevice> controllers)
    {
        foreach (var c in controllers)
        {
            var what = $"<controller type='pci' index='{c.Index}' model='{c.Model}'>";
            var name = c.Pci?.ModelName ?? throw Unsupported($"{what} has no <model name>");
            var device = new JsonObject { ["driver"] = name };
            switch (c.Model)
            {
                case "pcie-root-port" or "pcie-switch-downstream-port":
                    device["port"] = c.Pci.Port ?? throw Unsupported($"{what} has no port");
                    device["chassis"] = c.Pci.Chassis ?? c.Index;
                    break;
                case "pci-bridge":
                    device["chassis_nr"] = c.Pci.ChassisNr ?? c.Index;
                    break;
            }
            device["id"] = $"pci.{c.Index}";
            if (c.Pci.Hotplug is { } hotplug)
                device["hotplug"] = hotplug;
            _pci.Place(device, c.Address, what);
            _argv.Json("-device", device);
        }
    }

    /// <summary>
    /// One USB bus per index: its controller, or an ich9-ehci1 with its UHCI companions, each at the address the layout
    /// gave (the set shares one slot). A definition without USB controllers gets libvirt's default for the machine.
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
        foreach (var group in usb.GroupBy(c => c.Index).OrderBy(g => g.Key))
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
            foreach (var controller in members)
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
                _pci.Place(device, controller.Address, $"usb controller {group.Key}");
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
        var device = new JsonObject { ["driver"] = driver };
        if (controller.Ports is { } ports)
        {
            // xHCI's USB2 and USB3 ports: libvirt gives both the number the definition names.
            device["p2"] = ports;
            device["p3"] = ports;
        }
        device["id"] = id;
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

    /// <summary>A USB device on the bus and port its address names (the layout gave every one a port): "usb.0", "usbN.0".</summary>
    private void PlaceOnUsb(JsonObject device, DeviceAddress? address, string what)
    {
        if (address is { Type: "usb" } usb && usb["bus"] is { } bus && bus != "0")
        {
            if (!_def.Devices.Controllers.Any(c => c.Type == "usb" && c.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) == bus))
                throw Unsupported($"{what}: USB bus {bus} has no controller");
            device["bus"] = $"usb{bus}.0";
        }
        else
        {
            device["bus"] = RequireUsbBus(what);
        }
        if (address is { Type: "usb" } withPort && withPort["port"] is { } port)
            device["port"] = port;
    }

    /// <summary>USB hubs, after the controllers and before what plugs into them.</summary>
    private void WriteHubs()
    {
        for (var i = 0; i < _def.Devices.Hubs.Count; i++)
        {
            var hub = new JsonObject { ["driver"] = "usb-hub", ["id"] = $"hub{i}" };
            PlaceOnUsb(hub, _def.Devices.Hubs[i].Address, $"<hub> {i}");
            _argv.Json("-device", hub);
        }
    }
}
