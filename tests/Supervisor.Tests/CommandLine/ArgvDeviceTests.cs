using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Each device kind's front end and backend, and the device configurations that are refused.</summary>
public sealed class ArgvDeviceTests
{
    private static IReadOnlyList<string> Build(Func<DeviceSet, DeviceSet> devices, string machine = "pc") =>
        ArgvFixtures.Build(ArgvFixtures.Minimal(machine).WithDevices(devices));

    private static VirtException Refused(Func<DeviceSet, DeviceSet> devices, string machine = "pc") =>
        Assert.ThrowsAny<VirtException>(() => Build(devices, machine));

    private static List<JsonObject> Blockdevs(IReadOnlyList<string> argv) =>
        argv.ValuesOf("-blockdev").Select(v => JsonNode.Parse(v)!.AsObject()).ToList();

    [Fact]
    public void A_qcow2_disk_gets_a_format_node_over_its_file_and_cache_on_both()
    {
        var argv = Build(d => d with { Disks = [ArgvFixtures.FileDisk("hda", DiskBus.Ide, "/i.qcow2") with { DriverType = "qcow2", DriverCache = "directsync" }] });
        var nodes = Blockdevs(argv);
        Assert.Equal(["file", "qcow2"], nodes.Select(n => (string?)n["driver"]));
        Assert.Equal((string?)nodes[0]["node-name"], (string?)nodes[1]["file"]);
        Assert.All(nodes, n => Assert.True((bool)n["cache"]!["direct"]!));
        var device = argv.Devices("ide-hd").Single();
        Assert.Equal((string?)nodes[1]["node-name"], (string?)device["drive"]);
        Assert.Equal("off", (string?)device["write-cache"]);
    }

    [Fact]
    public void Block_sources_use_host_device_or_host_cdrom_for_a_real_cdrom_drive()
    {
        using var dir = new Virt.TestSupport.TempDirectory();
        var drive = dir.Combine("sr0");
        Assert.Equal(0, Virt.TestSupport.DeviceNodes.MakeBlock(drive, 11, 0)); // a CD-ROM drive's node
        IReadOnlyList<string> Cdrom(string path) => Build(d => d with
        {
            Disks =
            [
                ArgvFixtures.FileDisk("hda", DiskBus.Ide, "/dev/sdz") with { SourceType = DiskSourceType.Block },
                ArgvFixtures.FileDisk("hdc", DiskBus.Ide, path, DiskDeviceKind.Cdrom) with { SourceType = DiskSourceType.Block },
            ],
        });
        Assert.Equal(["host_device", "host_cdrom"], Blockdevs(Cdrom(drive)).Select(n => (string?)n["driver"]));
        Assert.True((bool)Blockdevs(Cdrom(drive))[1]["read-only"]!);
        // As libvirt: a cdrom whose block source is no CD-ROM drive is read as a plain block device.
        Assert.Equal(["host_device", "host_device"], Blockdevs(Cdrom("/dev/no-such-drive")).Select(n => (string?)n["driver"]));
    }

    [Fact]
    public void Network_disks_map_to_nbd_and_iscsi_and_other_protocols_are_refused()
    {
        DiskDevice Net(string protocol, string? name) => new()
        {
            TargetDev = "vda",
            TargetBus = DiskBus.Virtio,
            SourceType = DiskSourceType.Network,
            NetworkSource = new NetworkDiskSource { Protocol = protocol, Name = name, Hosts = [new NetworkHost("example.org", null)] },
        };
        var nbd = Blockdevs(Build(d => d with { Disks = [Net("nbd", "image")] })).Single();
        Assert.Equal("example.org", (string?)nbd["server"]!["host"]);
        Assert.Equal("10809", (string?)nbd["server"]!["port"]);
        Assert.Equal("image", (string?)nbd["export"]);
        var iscsi = Blockdevs(Build(d => d with { Disks = [Net("iscsi", "iqn.2011-02.lan.x:vm/3")] })).Single();
        Assert.Equal("example.org:3260", (string?)iscsi["portal"]);
        Assert.Equal("iqn.2011-02.lan.x:vm", (string?)iscsi["target"]);
        Assert.Equal(3, (int?)iscsi["lun"]);
        var error = Refused(d => d with { Disks = [Net("gluster", "vol/img")] });
        Assert.Contains("gluster", error.Message);
    }

    [Fact]
    public void Disk_buses_get_their_controllers_and_addresses()
    {
        var argv = Build(d => d with
        {
            Disks =
            [
                ArgvFixtures.FileDisk("sdb", DiskBus.Sata),
                ArgvFixtures.FileDisk("sda", DiskBus.Scsi),
                ArgvFixtures.FileDisk("sdc", DiskBus.Usb),
                ArgvFixtures.FileDisk("hdd", DiskBus.Ide, "/c.iso", DiskDeviceKind.Cdrom),
            ],
        });
        Assert.Single(argv.Devices("ahci"));
        Assert.Single(argv.Devices("lsi"));
        Assert.Single(argv.Devices("piix3-usb-uhci"));
        Assert.Equal("sata0.1", (string?)argv.Devices("ide-hd").Single()["bus"]);
        var scsi = argv.Devices("scsi-hd").Single();
        Assert.Equal(("scsi0.0", 0), ((string?)scsi["bus"], (int)scsi["scsi-id"]!));
        Assert.Equal("usb.0", (string?)argv.Devices("usb-storage").Single()["bus"]);
        var cd = argv.Devices("ide-cd").Single();
        Assert.Equal(("ide.1", 1), ((string?)cd["bus"], (int)cd["unit"]!));
    }

    [Fact]
    public void Sata_on_q35_uses_the_built_in_ahci()
    {
        var argv = Build(d => d with { Disks = [ArgvFixtures.FileDisk("sda", DiskBus.Sata)] }, "q35");
        Assert.Empty(argv.Devices("ahci"));
        Assert.Equal("ide.0", (string?)argv.Devices("ide-hd").Single()["bus"]);
        Assert.Single(argv.Devices("qemu-xhci"));
    }

    [Fact]
    public void Virtio_scsi_addresses_by_target_and_lun()
    {
        var argv = Build(d => d with
        {
            Controllers = [new ControllerDevice { Type = "scsi", Model = "virtio-scsi" }],
            Disks = [ArgvFixtures.FileDisk("sdc", DiskBus.Scsi, "/c.iso", DiskDeviceKind.Cdrom)],
        });
        Assert.Single(argv.Devices("virtio-scsi-pci"));
        var cd = argv.Devices("scsi-cd").Single();
        Assert.Equal((0, 2), ((int)cd["scsi-id"]!, (int)cd["lun"]!));
    }

    [Fact]
    public void An_empty_cdrom_has_no_drive_and_no_blockdev()
    {
        var argv = Build(d => d with { Disks = [ArgvFixtures.FileDisk("hdc", DiskBus.Ide, "", DiskDeviceKind.Cdrom) with { SourcePath = null }] });
        Assert.Empty(argv.ValuesOf("-blockdev"));
        Assert.Null(argv.Devices("ide-cd").Single()["drive"]);
    }

    [Theory]
    [InlineData("hda", DiskBus.Ide, DiskDeviceKind.Disk, true, "pc")]          // ide-hd cannot be read-only
    [InlineData("vda", DiskBus.Virtio, DiskDeviceKind.Cdrom, false, "pc")]     // no virtio cdrom
    [InlineData("sda", DiskBus.Usb, DiskDeviceKind.Cdrom, false, "pc")]        // no usb cdrom
    [InlineData("hda", DiskBus.Ide, DiskDeviceKind.Disk, false, "q35")]        // q35 has no IDE
    [InlineData("hde", DiskBus.Ide, DiskDeviceKind.Disk, false, "pc")]         // past the 2x2 IDE units
    [InlineData("fda", DiskBus.Ide, DiskDeviceKind.Floppy, false, "pc")]       // floppies only on fdc
    [InlineData("hdaxxxxxxxxxx", DiskBus.Virtio, DiskDeviceKind.Disk, false, "pc")] // libvirt's disk-target-overflow
    public void Impossible_disks_are_refused(string target, DiskBus bus, DiskDeviceKind kind, bool readOnly, string machine)
    {
        var error = Refused(d => d with { Disks = [ArgvFixtures.FileDisk(target, bus, "/x.img", kind) with { ReadOnly = readOnly }] }, machine);
        Assert.Contains(target, error.Message);
    }

    [Fact]
    public void Two_disks_on_one_address_are_refused() =>
        Refused(d => d with { Disks = [ArgvFixtures.FileDisk("hda", DiskBus.Ide), ArgvFixtures.FileDisk("hda", DiskBus.Ide)] });

    [Fact]
    public void A_usb_disk_without_a_usb_controller_is_refused()
    {
        var error = Refused(d => d with
        {
            Controllers = [new ControllerDevice { Type = "usb", Model = "none" }],
            Disks = [ArgvFixtures.FileDisk("sda", DiskBus.Usb)],
        });
        Assert.Contains("USB", error.Message);
    }

    [Fact]
    public void User_networking_with_addresses_and_a_pci_address_written_in_the_xml()
    {
        var argv = Build(d => d with
        {
            Interfaces =
            [
                new InterfaceDevice
                {
                    Type = InterfaceType.User, Model = "virtio", Mac = "00:11:22:33:44:55",
                    Ips = [new InterfaceIp("172.17.2.0", "ipv4", 24), new InterfaceIp("2001:db8::", "ipv6", 64)],
                    Address = new DeviceAddress { Type = "pci", Attributes = [new("domain", "0x0000"), new("bus", "0x00"), new("slot", "0x07"), new("function", "0x0")] },
                },
            ],
        });
        var netdev = JsonNode.Parse(argv.ValuesOf("-netdev").Single())!;
        Assert.Equal("user", (string?)netdev["type"]);
        Assert.Equal("172.17.2.0/24", (string?)netdev["net"]);
        Assert.Equal("2001:db8::", (string?)netdev["ipv6-prefix"]);
        Assert.Equal(64, (int?)netdev["ipv6-prefixlen"]);
        var nic = argv.Devices("virtio-net-pci").Single();
        Assert.Equal(("hostnet0", "00:11:22:33:44:55", "0x7"), ((string?)nic["netdev"], (string?)nic["mac"], (string?)nic["addr"]));
    }

    [Fact]
    public void Ethernet_opens_the_named_tap_and_bridged_interfaces_take_the_daemons_taps_by_descriptor()
    {
        var tap = JsonNode.Parse(Build(d => d with { Interfaces = [new InterfaceDevice { Type = InterfaceType.Ethernet, TargetDev = "tap7" }] })
            .ValuesOf("-netdev").Single())!;
        Assert.Equal(("tap", "tap7", "no"), ((string?)tap["type"], (string?)tap["ifname"], (string?)tap["script"]));
        Assert.Contains("target dev", Refused(d => d with { Interfaces = [new InterfaceDevice { Type = InterfaceType.Ethernet }] }).Message);

        // A user NIC between two bridged ones: the taps are numbered 3 and 4 in interface order, the user NIC takes none.
        var def = ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Interfaces =
            [
                new InterfaceDevice { Type = InterfaceType.Bridge, SourceName = "br0" },
                new InterfaceDevice { Type = InterfaceType.User },
                new InterfaceDevice { Type = InterfaceType.Network, SourceName = "default" },
            ],
        });
        var netdevs = ArgvFixtures.Build(def).ValuesOf("-netdev").Select(v => JsonNode.Parse(v)!).ToList();
        Assert.Equal(["tap:3", "user:", "tap:4"], netdevs.Select(n => $"{(string?)n["type"]}:{(string?)n["fd"]}"));

        // Without the daemon's taps (a conversion that is run, not shown) the build says what is missing.
        var bare = Assert.Throws<VirtException>(() => QemuArgvBuilder.Build(def, ArgvFixtures.Caps(), ArgvFixtures.Context));
        Assert.Contains("bridge 'br0'", bare.Message);
    }

    [Fact]
    public void A_mac_is_generated_stably_when_none_is_written()
    {
        IReadOnlyList<string> Twice() => Build(d => d with { Interfaces = [new InterfaceDevice { Type = InterfaceType.User }] });
        var mac = (string?)Twice().Devices("rtl8139").Single()["mac"];
        Assert.StartsWith("52:54:00:", mac);
        Assert.Equal(mac, (string?)Twice().Devices("rtl8139").Single()["mac"]);
    }

    [Fact]
    public void Written_pci_addresses_are_kept_and_a_clash_is_refused()
    {
        DeviceAddress Slot(string slot) => new() { Type = "pci", Attributes = [new("slot", slot)] };
        var argv = Build(d => d with
        {
            Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio)],
            Memballoon = new MemballoonDevice { Model = "virtio", Address = Slot("0x3") },
        });
        Assert.Equal("0x3", (string?)argv.Devices("virtio-balloon-pci").Single()["addr"]);
        Assert.Equal("0x2", (string?)argv.Devices("virtio-blk-pci").Single()["addr"]); // allocation skips the written slot
        Refused(d => d with
        {
            Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio) with { Address = Slot("0x3") }],
            Memballoon = new MemballoonDevice { Model = "virtio", Address = Slot("0x3") },
        });
        Refused(d => d with { Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio) with { Address = Slot("0x1") }] });
        Refused(d => d with { Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio) with { Address = Slot("0x1f") }] }, "q35");
    }

    [Fact]
    public void Vnc_port_autoport_and_listen()
    {
        Assert.Equal(["vnc=127.0.0.1:3,audiodev=audio1"], Build(d => d with { Graphics = [new GraphicsDevice { Port = 5903, AutoPort = false }] }).ValuesOf("-vnc"));
        Assert.Equal(["vnc=127.0.0.1:0,to=99,audiodev=audio1"], Build(d => d with { Graphics = [new GraphicsDevice { AutoPort = true }] }).ValuesOf("-vnc"));
        Assert.Equal(["vnc=[::1]:1,audiodev=audio1"], Build(d => d with { Graphics = [new GraphicsDevice { Port = 5901, Listen = "::1" }] }).ValuesOf("-vnc"));
        var socket = Build(d => d with { Graphics = [new GraphicsDevice { Listens = [new GraphicsListen("socket", null, null)] }] });
        Assert.Equal(["vnc=unix:/run/virt/qemu/1/vnc.sock,audiodev=audio1"], socket.ValuesOf("-vnc"));
        Assert.Empty(socket.ValuesOf("-display"));
        Assert.Single(socket.Devices("cirrus-vga")); // graphics without video gets libvirt's default card, cirrus
    }

    [Fact]
    public void Video_models_and_their_limits()
    {
        var argv = Build(d => d with { Videos = [new VideoDevice { ModelType = "qxl", Vram = 32768 }, new VideoDevice { ModelType = "virtio", Heads = 2 }] });
        var qxl = argv.Devices("qxl-vga").Single();
        // libvirt's qxl defaults: 64 MiB RAM bar, 16 MiB of VGA memory; the VRAM as written.
        Assert.Equal(("0x2", 16, 64L << 20, 32L << 20, 1), ((string?)qxl["addr"], (int)qxl["vgamem_mb"]!, (long)qxl["ram_size"]!, (long)qxl["vram_size"]!, (int)qxl["max_outputs"]!));
        Assert.Equal(2, (int?)argv.Devices("virtio-gpu-pci").Single()["max_outputs"]);
        Refused(d => d with { Videos = [new VideoDevice { ModelType = "vga" }, new VideoDevice { ModelType = "cirrus" }] });
        Refused(d => d with { Videos = [new VideoDevice { ModelType = "cirrus", Heads = 2 }] });
    }

    [Fact]
    public void Inputs_ps2_is_built_in_usb_and_virtio_are_devices()
    {
        var argv = Build(d => d with
        {
            Inputs = [new InputDevice { Type = "mouse", Bus = "ps2" }, new InputDevice { Type = "tablet", Bus = "usb" }, new InputDevice { Type = "keyboard", Bus = "virtio" }],
        });
        Assert.Equal("usb.0", (string?)argv.Devices("usb-tablet").Single()["bus"]);
        Assert.Single(argv.Devices("virtio-keyboard-pci"));
        Assert.DoesNotContain(argv.ValuesOf("-device"), v => v.Contains("ps2", StringComparison.Ordinal));
    }

    [Fact]
    public void Serial_and_console_kinds()
    {
        var argv = Build(d => d with
        {
            Serials =
            [
                new CharDevice { SourceType = CharDeviceSourceType.Pty },
                new CharDevice { SourceType = CharDeviceSourceType.Tcp, Host = "127.0.0.1", Service = "4555", Mode = "bind", Protocol = "telnet", TargetPort = 1 },
                new CharDevice { SourceType = CharDeviceSourceType.Unix, Path = "/r/s.sock", TargetPort = 2 },
            ],
            Consoles = [new CharDevice { SourceType = CharDeviceSourceType.Pty }],
        });
        Assert.Equal(
            ["socket,id=charmonitor,path=/run/virt/qemu/1/monitor.sock,server=on,wait=off", "pty,id=charserial0",
             "socket,id=charserial1,host=127.0.0.1,port=4555,server=on,wait=off,telnet=on", "socket,id=charserial2,path=/r/s.sock"],
            argv.ValuesOf("-chardev"));
        Assert.Equal([0, 1, 2], argv.Devices("isa-serial").Select(s => (int)s["index"]!)); // the console is serial 0 again
        Refused(d => d with { Serials = [new CharDevice { SourceType = CharDeviceSourceType.Pty, TargetPort = 4 }] });
    }

    [Fact]
    public void A_serial_log_is_qemus_own_logfile_with_logappend_only_when_given()
    {
        var argv = Build(d => d with
        {
            Serials =
            [
                new CharDevice { SourceType = CharDeviceSourceType.Pty, LogFile = "/l/a,b.log", LogAppend = true },
                new CharDevice { SourceType = CharDeviceSourceType.File, Path = "/l/s1", LogFile = "/l/c.log", TargetPort = 1 },
            ],
        });
        Assert.Equal(["pty,id=charserial0,logfile=/l/a,,b.log,logappend=on", "file,id=charserial1,path=/l/s1,logfile=/l/c.log"],
            argv.ValuesOf("-chardev").Skip(1));
    }

    [Fact]
    public void Watchdog_balloon_rng_and_audio()
    {
        var argv = Build(d => d with
        {
            Watchdog = new WatchdogDevice { Model = "ib700", Action = "poweroff" },
            Memballoon = null,
            Rngs = [new RngDevice { BackendModel = "random", BackendPath = "/dev/hwrng" }],
        });
        Assert.Single(argv.Devices("ib700"));
        Assert.Equal(["poweroff"], argv.ValuesOf("-watchdog-action"));
        Assert.Single(argv.Devices("virtio-balloon-pci")); // absent memballoon means libvirt's default
        var rng = JsonNode.Parse(argv.ValuesOf("-object").Single())!;
        Assert.Equal(("rng-random", "/dev/hwrng"), ((string?)rng["qom-type"], (string?)rng["filename"]));
        Assert.Equal((string?)rng["id"], (string?)argv.Devices("virtio-rng-pci").Single()["rng"]);
        Assert.Equal(["{\"id\":\"audio1\",\"driver\":\"none\"}"], argv.ValuesOf("-audiodev"));
        Refused(d => d with { Watchdog = new WatchdogDevice { Model = "itco" } });
        Refused(d => d with { Watchdog = new WatchdogDevice { Model = "ib700", Action = "dump" } });
        Refused(d => d with { Audios = [new AudioDevice(1, "pulseaudio")] });
    }

    [Fact]
    public void A_display_password_asks_qemu_for_one_without_naming_it()
    {
        var argv = Build(d => d with
        {
            Graphics =
            [
                new GraphicsDevice { Type = "vnc", Port = 5905, Password = "pw-vnc" },
                new GraphicsDevice { Type = "spice", Port = 5906, Password = "pw-spice" },
            ],
        });
        Assert.Contains(",password=on", argv.ValuesOf("-vnc").Single());
        Assert.DoesNotContain("disable-ticketing", argv.ValuesOf("-spice").Single());
        Assert.DoesNotContain(argv, a => a.Contains("pw-", StringComparison.Ordinal));
        var open = Build(d => d with { Graphics = [new GraphicsDevice { Type = "spice", Port = 5906 }] });
        Assert.Contains("disable-ticketing=on", open.ValuesOf("-spice").Single());
        Assert.Equal("never", Virt.Supervisor.Live.GraphicsPasswords.ExpiryTime(null));
        Assert.Equal("1270828260", Virt.Supervisor.Live.GraphicsPasswords.ExpiryTime("2010-04-09T15:51:00"));
    }

    [Fact]
    public void A_filesystem_is_a_local_fsdev_with_its_tag_on_virtio_9p_and_virtiofs_is_refused()
    {
        var argv = Build(d => d with
        {
            Filesystems =
            [
                new FilesystemDevice { SourceDir = "/srv/share", TargetDir = "share", ReadOnly = true },
                new FilesystemDevice { SourceDir = "/srv/m", TargetDir = "m", AccessMode = "mapped", FileMode = "644", DirectoryMode = "0750", Multidevs = "remap" },
            ],
        });
        Assert.Equal(
            ["local,security_model=passthrough,id=fsdev-fs0,path=/srv/share,readonly=on", "local,security_model=mapped,multidevs=remap,fmode=0644,dmode=0750,id=fsdev-fs1,path=/srv/m"],
            argv.ValuesOf("-fsdev"));
        Assert.Equal(["share", "m"], argv.Devices("virtio-9p-pci").Select(d => (string?)d["mount_tag"]));
        var refused = Refused(d => d with { Filesystems = [new FilesystemDevice { SourceDir = "/srv", TargetDir = "t", DriverType = "virtiofs" }] });
        Assert.Contains("virtiofsd", refused.Message);
    }

    [Fact]
    public void An_emulated_tpm_is_qemus_front_end_on_the_swtpm_socket_in_the_runtime_directory()
    {
        var argv = Build(d => d with { Tpms = [new TpmDevice { Model = "tpm-crb" }] });
        Assert.Equal(["socket,id=chrtpm,path=/run/virt/qemu/1/swtpm.sock"], argv.ValuesOf("-chardev").Where(c => c.Contains("chrtpm")));
        Assert.Equal(["emulator,id=tpm-tpm0,chardev=chrtpm"], argv.ValuesOf("-tpmdev"));
        Assert.Equal("tpm-tpm0", (string?)argv.Devices("tpm-crb").Single()["tpmdev"]);
    }

    [Fact]
    public void Balloon_deflation_and_rng_rate_reach_the_devices()
    {
        var argv = Build(d => d with
        {
            Memballoon = new MemballoonDevice { Model = "virtio", AutoDeflate = true, FreePageReporting = false },
            Rngs = [new RngDevice { BackendModel = "builtin", RateBytes = 1234 }, new RngDevice { BackendModel = "builtin", RateBytes = 10, RatePeriod = 2000 }],
        });
        var balloon = argv.Devices("virtio-balloon-pci").Single();
        Assert.Equal((true, false), ((bool)balloon["deflate-on-oom"]!, (bool)balloon["free-page-reporting"]!));
        // libvirt's period is a second when the XML gives only the bytes.
        Assert.Equal(["1234/1000", "10/2000"], argv.Devices("virtio-rng-pci").Select(r => $"{(int)r["max-bytes"]!}/{(int)r["period"]!}"));
        // A scsi controller of model auto is libvirt's default for x86, an LSI.
        Assert.Single(Build(d => d with { Controllers = [new ControllerDevice { Type = "scsi", Model = "auto" }] }).Devices("lsi"));
    }

    [Fact]
    public void Controllers_that_would_need_a_topology_are_refused()
    {
        Refused(d => d with { Controllers = [new ControllerDevice { Type = "pci", Index = 1, Model = "pcie-root-port" }] });
        Refused(d => d with { Controllers = [new ControllerDevice { Type = "usb", Model = "ich9-uhci1", MasterStartPort = 0 }] });
        Refused(d => d with { Controllers = [new ControllerDevice { Type = "scsi", Model = "buslogic" }] });
        Refused(d => d with { Controllers = [new ControllerDevice { Type = "ide" }] }, "q35");
    }

    [Fact]
    public void A_console_without_serials_becomes_serial_0_and_a_virtio_console_gets_a_virtio_serial_bus()
    {
        var argv = Build(d => d with
        {
            Consoles =
            [
                new CharDevice { SourceType = CharDeviceSourceType.File, Path = "/l/console.log" },
                new CharDevice { SourceType = CharDeviceSourceType.Unix, Path = "/r/c.sock", Mode = "connect", TargetType = "virtio" },
            ],
        });
        Assert.Equal(0, (int?)argv.Devices("isa-serial").Single()["index"]);
        Assert.Contains("file,id=charserial0,path=/l/console.log", argv.ValuesOf("-chardev"));
        Assert.Contains("socket,id=charconsole1,path=/r/c.sock", argv.ValuesOf("-chardev"));
        Assert.Single(argv.Devices("virtio-serial-pci"));
        Assert.Equal("charconsole1", (string?)argv.Devices("virtconsole").Single()["chardev"]);
        Refused(d => d with { Consoles = [new CharDevice { SourceType = CharDeviceSourceType.Tcp, Host = "h", Service = "1", Protocol = "telnets" }] });
    }
}
