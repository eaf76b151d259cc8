using Virt.Protocol.Domains;
using Virt.Supervisor.CommandLine;
using Virt.Supervisor.Layout;
using Virt.Supervisor.Tests.CommandLine;

namespace Virt.Supervisor.Tests.Layout;

/// <summary>The hardware libvirt gives a definition: implicit devices, PCI addresses and controllers, USB ports.</summary>
public sealed class LayoutTests
{
    private static DomainDefinition Laid(DomainDefinition def, MachineFamily family) =>
        UsbLayout.Apply(PciLayout.Apply(ImplicitDevices.Complete(def, family), family));

    private static string Pci(DeviceAddress? a) => $"{a!["bus"]}:{a["slot"]}.{a["function"]}{(a["multifunction"] == "on" ? "+" : "")}";

    [Fact]
    public void A_definition_with_no_boot_at_all_boots_from_its_hard_disk_and_says_so_as_libvirt_s_post_parse()
    {
        var plain = DomainHardware.Complete(ArgvFixtures.Minimal(), ArgvFixtures.Caps());
        Assert.Equal([BootDevice.HardDisk], plain.Os.BootDevices);

        var cdrom = ArgvFixtures.Minimal() with { Os = ArgvFixtures.Minimal().Os with { BootDevices = [BootDevice.Cdrom] } };
        Assert.Equal([BootDevice.Cdrom], DomainHardware.Complete(cdrom, ArgvFixtures.Caps()).Os.BootDevices);

        var perDevice = ArgvFixtures.Minimal().WithDevices(d => d with { Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio) with { BootOrder = 1 }] });
        Assert.Empty(DomainHardware.Complete(perDevice, ArgvFixtures.Caps()).Os.BootDevices);
    }

    [Fact]
    public void A_serial_gets_its_compatibility_console_and_a_lone_serial_console_its_serial_as_in_libvirt()
    {
        var pty = new CharDevice { SourceType = CharDeviceSourceType.Pty, LogFile = "/l/g.log" };
        var fromSerial = Laid(ArgvFixtures.Minimal().WithDevices(d => d with { Serials = [pty with { TargetPort = 0 }] }), MachineFamily.I440fx).Devices;
        Assert.Equal(("serial", 0, "/l/g.log"), (fromSerial.Consoles.Single().TargetType, fromSerial.Consoles.Single().TargetPort, fromSerial.Consoles.Single().LogFile));

        var fromConsole = Laid(ArgvFixtures.Minimal().WithDevices(d => d with { Consoles = [pty with { TargetType = "serial" }] }), MachineFamily.I440fx).Devices;
        Assert.Equal((null, 0, "/l/g.log"), (fromConsole.Serials.Single().TargetType, fromConsole.Serials.Single().TargetPort, fromConsole.Serials.Single().LogFile));
        Assert.Equal("serial", fromConsole.Consoles.Single().TargetType);

        var virtio = Laid(ArgvFixtures.Minimal().WithDevices(d => d with { Consoles = [pty with { TargetType = "virtio" }] }), MachineFamily.I440fx).Devices;
        Assert.Empty(virtio.Serials); // a virtio console is no serial port
    }

    [Fact]
    public void On_q35_each_pcie_device_gets_its_own_root_port_plus_one_spare_as_libvirt_adds()
    {
        var def = ArgvFixtures.Minimal("q35") with
        {
            Devices = new DeviceSet
            {
                Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio)],
                Interfaces = [new InterfaceDevice { Type = InterfaceType.User, Model = "virtio" }],
                Memballoon = new MemballoonDevice { Model = "virtio" },
            },
        };
        var d = Laid(def, MachineFamily.Q35).Devices;
        var ports = d.Controllers.Where(c => c.Model == "pcie-root-port").ToList();
        // NIC, USB (qemu-xhci), disk, balloon, and the spare one.
        Assert.Equal([1, 2, 3, 4, 5], ports.Select(p => p.Index));
        Assert.Equal(["0x00:0x01.0x0+", "0x00:0x01.0x1", "0x00:0x01.0x2", "0x00:0x01.0x3", "0x00:0x01.0x4"], ports.Select(p => Pci(p.Address)));
        Assert.Equal([(1, 8), (2, 9), (3, 10), (4, 11), (5, 12)], ports.Select(p => (p.Pci!.Chassis!.Value, p.Pci.Port!.Value)));
        Assert.Equal("0x01:0x00.0x0", Pci(d.Interfaces[0].Address));
        Assert.Equal("0x02:0x00.0x0", Pci(d.Controllers.Single(c => c.Type == "usb").Address));
        Assert.Equal("0x03:0x00.0x0", Pci(d.Disks[0].Address));
        Assert.Equal("0x04:0x00.0x0", Pci(d.Memballoon!.Address));
        Assert.Equal("0x00:0x1f.0x2", Pci(d.Controllers.Single(c => c.Type == "sata").Address));
        Assert.Equal(new WatchdogDevice { Model = "itco", Action = "reset" }, d.Watchdog);
    }

    [Fact]
    public void A_conventional_pci_device_on_q35_goes_behind_a_pcie_to_pci_bridge()
    {
        var def = ArgvFixtures.Minimal("q35").WithDevices(d => d with { Interfaces = [new InterfaceDevice { Type = InterfaceType.User, Model = "e1000" }] });
        var d = Laid(def, MachineFamily.Q35).Devices;
        var bridge = d.Controllers.Single(c => c.Model == "pcie-to-pci-bridge");
        Assert.Equal("pcie-pci-bridge", bridge.Pci!.ModelName);
        var port = d.Controllers.Single(c => c.Model == "pcie-root-port" && c.Index == bridge.Index - 1);
        Assert.Equal($"0x{port.Index:x2}:0x00.0x0", Pci(bridge.Address));
        Assert.Equal($"0x{bridge.Index:x2}:0x01.0x0", Pci(d.Interfaces[0].Address));
    }

    [Fact]
    public void On_pc_nics_come_before_controllers_and_the_primary_video_keeps_slot_2()
    {
        var def = ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Controllers = [new ControllerDevice { Type = "scsi", Index = 0, Model = "virtio-scsi" }],
            Interfaces = [new InterfaceDevice { Type = InterfaceType.User, Model = "virtio" }],
            Videos = [new VideoDevice { ModelType = "vga" }],
            Memballoon = new MemballoonDevice { Model = "virtio" },
        });
        var d = Laid(def, MachineFamily.I440fx).Devices;
        Assert.Equal("0x00:0x02.0x0", Pci(d.Videos[0].Address));
        Assert.Equal("0x00:0x03.0x0", Pci(d.Interfaces[0].Address));
        Assert.Equal("0x00:0x04.0x0", Pci(d.Controllers.Single(c => c.Type == "scsi").Address));
        Assert.Equal("0x00:0x05.0x0", Pci(d.Memballoon!.Address));
        Assert.Equal("0x00:0x01.0x2", Pci(d.Controllers.Single(c => c.Type == "usb").Address));
        Assert.Equal("0x00:0x01.0x1", Pci(d.Controllers.Single(c => c.Type == "ide").Address));
        Assert.DoesNotContain(d.Controllers, c => c.Type == "pci" && c.Index > 0);
    }

    [Fact]
    public void Usb_devices_get_ports_and_hubs_are_added_when_the_ports_run_out()
    {
        var def = ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Inputs = [.. Enumerable.Range(0, 4).Select(_ => new InputDevice { Type = "tablet", Bus = "usb" })],
        });
        var d = Laid(def, MachineFamily.I440fx).Devices;
        // piix3-uhci has 2 ports: one hub on port 1, the tablets on port 2 and then on the hub.
        Assert.Equal("1", d.Hubs.Single().Address!["port"]);
        Assert.Equal(["2", "1.1", "1.2", "1.3"], d.Inputs.Select(i => i.Address!["port"]));
    }

    [Fact]
    public void Disks_are_in_libvirts_order_each_bus_by_target()
    {
        DiskDevice[] disks = [ArgvFixtures.FileDisk("vdb", DiskBus.Virtio), ArgvFixtures.FileDisk("hda", DiskBus.Ide), ArgvFixtures.FileDisk("vda", DiskBus.Virtio), ArgvFixtures.FileDisk("hdc", DiskBus.Ide, kind: DiskDeviceKind.Cdrom)];
        Assert.Equal(["vda", "vdb", "hda", "hdc"], ImplicitDevices.Sorted(disks).Select(k => k.TargetDev));
    }
}
