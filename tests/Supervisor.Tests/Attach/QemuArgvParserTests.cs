using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Attach;

namespace Virt.Supervisor.Tests.Attach;

/// <summary>Each QEMU option form the argv parser understands, and what it keeps as passthrough.</summary>
public sealed class QemuArgvParserTests
{
    private const string Emulator = "/usr/bin/qemu-system-x86_64";

    private static ParsedQemuCommandLine Parse(params string[] args) => QemuArgvParser.Parse([Emulator, .. args], "fallback");

    private static DomainDefinition Def(params string[] args) => Parse(args).Definition;

    private static VirtException Fails(params string[] args) => Assert.ThrowsAny<VirtException>(() => Parse(args));

    [Fact]
    public void Minimal_command_line_uses_the_fallback_name_a_new_uuid_and_the_emulator()
    {
        var parsed = Parse();
        Assert.Equal("fallback", parsed.Definition.Name);
        Assert.NotEqual(Guid.Empty, parsed.Definition.Uuid);
        Assert.NotEqual(Parse().Definition.Uuid, parsed.Definition.Uuid);
        Assert.Equal(Emulator, parsed.Definition.Devices.Emulator);
        Assert.Equal("x86_64", parsed.Definition.Os.Arch);
        Assert.Empty(parsed.Passthrough);
        Assert.Empty(parsed.Taints);
        Assert.Null(parsed.MonitorSocketPath);
        Assert.False(parsed.StartPaused);
    }

    [Fact]
    public void No_name_and_no_fallback_is_an_error()
    {
        var e = Assert.Throws<VirtException>(() => QemuArgvParser.Parse([Emulator]));
        Assert.Contains("-name", e.Message);
    }

    [Theory]
    [InlineData("vm1", "vm1")]
    [InlineData("guest=vm2,debug-threads=on", "vm2")]
    [InlineData("guest=a,,b", "a,b")]
    [InlineData("a,,b,process=qemu-a", "a,b")]
    public void Name_forms(string value, string expected) => Assert.Equal(expected, Def("-name", value).Name);

    [Fact]
    public void Uuid_is_read_and_a_bad_one_is_refused_naming_the_option()
    {
        Assert.Equal(Guid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"), Def("-uuid", "c7a5fdbd-edaf-9455-926a-d65c16db1809").Uuid);
        var e = Fails("-uuid", "not-a-uuid");
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("-uuid", e.Message);
    }

    [Theory]
    [InlineData("512", 512UL * 1024)]
    [InlineData("512M", 512UL * 1024)]
    [InlineData("1G", 1024UL * 1024)]
    [InlineData("size=219136k", 219136UL)]
    [InlineData("size=1G", 1024UL * 1024)]
    [InlineData("2048MiB", 2048UL * 1024)]
    public void Memory_forms(string value, ulong kib)
    {
        var d = Def("-m", value);
        Assert.Equal(kib, d.MemoryKiB);
        Assert.Equal(kib, d.CurrentMemoryKiB);
        Assert.Empty(d.QemuCommandLine);
    }

    [Fact]
    public void Memory_hotplug_keys_are_kept_as_a_mergeable_m_option()
    {
        var parsed = Parse("-m", "size=1G,slots=2,maxmem=4G");
        Assert.Equal(1024UL * 1024, parsed.Definition.MemoryKiB);
        Assert.Equal(["-m", "slots=2,maxmem=4G"], parsed.Passthrough);
        Assert.Equal([DomainTaints.CustomArgv], parsed.Taints);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("12X")]
    [InlineData("size=")]
    public void Bad_memory_sizes_are_refused(string value) => Assert.Contains("-m", Fails("-m", value).Message);

    [Theory]
    [InlineData("0x399999999999999999999")]
    [InlineData("0x3.0xffffffffffffffffff")]
    [InlineData("zz")]
    public void A_pci_address_that_is_no_slot_number_is_refused_naming_it(string addr) =>
        Assert.Contains(addr, Fails("-device", $"e1000,netdev=n0,bus=pci.0,addr={addr}", "-netdev", "user,id=n0").Message);

    [Theory]
    [InlineData("4", 4, false)]
    [InlineData("cpus=2", 2, false)]
    [InlineData("2,sockets=2,cores=1,threads=1", 2, false)]
    [InlineData("sockets=2,cores=2,threads=2", 8, true)]
    [InlineData("2,maxcpus=4", 2, true)]
    public void Smp_forms(string value, int count, bool kept)
    {
        var parsed = Parse("-smp", value);
        Assert.Equal(count, parsed.Definition.Vcpu.Count);
        Assert.Equal(kept ? ["-smp", value] : [], parsed.Passthrough);
    }

    [Fact]
    public void Machine_type_accel_and_acpi()
    {
        var d = Def("-machine", "q35,accel=kvm,acpi=off");
        Assert.Equal("q35", d.Os.Machine);
        Assert.Equal(DomainType.Kvm, d.Type);
        Assert.False(d.Features.Acpi);
        Assert.Equal("pc", Def("-M", "pc").Os.Machine);
        Assert.Equal(DomainType.Qemu, Def("-machine", "pc,accel=tcg").Type);
        Assert.True(Def("-M", "pc").Features.Acpi);
        Assert.False(Def("-no-acpi").Features.Acpi);
    }

    [Fact]
    public void Machine_keys_the_model_lacks_are_kept_alone_since_qemu_merges_machine_options()
    {
        var parsed = Parse("-machine", "pc,usb=off,dump-guest-core=off,vmport=off");
        Assert.Equal("pc", parsed.Definition.Os.Machine);
        Assert.Equal(["-machine", "dump-guest-core=off,vmport=off"], parsed.Passthrough);
    }

    [Fact]
    public void Accel_options_decide_the_domain_type()
    {
        Assert.Equal(DomainType.Kvm, Def("-accel", "kvm").Type);
        Assert.Equal(DomainType.Kvm, Def("--enable-kvm").Type);
        Assert.Equal(DomainType.Qemu, Def("-accel", "tcg").Type);
        Assert.Equal(["-accel", "tcg,thread=single"], Parse("-accel", "tcg,thread=single").Passthrough);
    }

    [Fact]
    public void Cpu_models_and_features()
    {
        Assert.Equal(new CpuConfig { Mode = "host-passthrough", Check = "none" }, Def("-cpu", "host").Cpu);
        Assert.Equal("Skylake-Client", Def("-cpu", "Skylake-Client").Cpu!.Model);
        var withFeatures = Parse("-cpu", "qemu64,+avx");
        Assert.Null(withFeatures.Definition.Cpu);
        Assert.Equal(["-cpu", "qemu64,+avx"], withFeatures.Passthrough);
    }

    [Theory]
    [InlineData("c", new[] { BootDevice.HardDisk })]
    [InlineData("d", new[] { BootDevice.Cdrom })]
    [InlineData("a", new[] { BootDevice.Floppy })]
    [InlineData("n", new[] { BootDevice.Network })]
    [InlineData("dcn", new[] { BootDevice.Cdrom, BootDevice.HardDisk, BootDevice.Network })]
    [InlineData("order=cd,once=d,strict=on", new[] { BootDevice.HardDisk, BootDevice.Cdrom })]
    public void Boot_order_forms(string value, BootDevice[] expected)
    {
        var parsed = Parse("-boot", value);
        Assert.Equal(expected, parsed.Definition.Os.BootDevices);
        Assert.Empty(parsed.Passthrough);
    }

    [Fact]
    public void Boot_menu_is_kept_and_bad_letters_are_refused()
    {
        Assert.Equal(["-boot", "menu=on"], Parse("-boot", "order=c,menu=on").Passthrough);
        Assert.Contains("-boot", Fails("-boot", "z").Message);
    }

    [Fact]
    public void Direct_kernel_boot()
    {
        var os = Def("-kernel", "/boot/vmlinuz", "-initrd", "/boot/initrd.img", "-append", "console=ttyS0 root=/dev/vda").Os;
        Assert.Equal("/boot/vmlinuz", os.Kernel);
        Assert.Equal("/boot/initrd.img", os.Initrd);
        Assert.Equal("console=ttyS0 root=/dev/vda", os.Cmdline);
    }

    [Fact]
    public void Drive_keys_with_escaped_commas()
    {
        var disk = Assert.Single(Def("-drive", "file=/images/a,,b.qcow2,format=qcow2,cache=none,if=virtio,readonly=on").Devices.Disks);
        Assert.Equal("/images/a,b.qcow2", disk.SourcePath);
        Assert.Equal(DiskSourceType.File, disk.SourceType);
        Assert.Equal("qcow2", disk.DriverType);
        Assert.Equal("none", disk.DriverCache);
        Assert.Equal("vda", disk.TargetDev);
        Assert.Equal(DiskBus.Virtio, disk.TargetBus);
        Assert.True(disk.ReadOnly);
    }

    [Fact]
    public void Drive_interfaces_indexes_and_media()
    {
        var disks = Def(
            "-drive", "file=/dev/sdb,if=ide,index=1",
            "-drive", "file=/x.iso,media=cdrom,bus=1,unit=1",
            "-drive", "file=/a.img,if=scsi,index=3",
            "-drive", "file=/f.img,if=floppy,unit=1",
            "-drive", "file=/n.img").Devices.Disks;
        Assert.Equal(["hdb", "hdd", "sdd", "fdb", "hda"], disks.Select(d => d.TargetDev));
        Assert.Equal(DiskSourceType.Block, disks[0].SourceType);
        Assert.Equal(DiskDeviceKind.Cdrom, disks[1].Device);
        Assert.True(disks[1].ReadOnly);
        Assert.Equal(DiskBus.Scsi, disks[2].TargetBus);
        Assert.Equal(DiskDeviceKind.Floppy, disks[3].Device);
        Assert.Equal("1", disks[1].Address!["bus"]);
        Assert.Equal("1", disks[1].Address!["unit"]);
    }

    [Fact]
    public void Drive_with_keys_the_model_lacks_is_kept_whole_and_bad_values_are_refused()
    {
        var parsed = Parse("-drive", "file=/a.img,snapshot=on");
        Assert.Empty(parsed.Definition.Devices.Disks);
        Assert.Equal(["-drive", "file=/a.img,snapshot=on"], parsed.Passthrough);
        Assert.Equal(["-drive", "file=/a.img,if=pflash"], Parse("-drive", "file=/a.img,if=pflash").Passthrough);
        Assert.Contains("cache", Fails("-drive", "file=/a.img,cache=sometimes").Message);
        Assert.Contains("hard disk needs an image", Fails("-drive", "if=virtio").Message);
    }

    [Fact]
    public void Legacy_disk_options()
    {
        var disks = Def("-hda", "/a.img", "-hdb", "/dev/sdc", "-cdrom", "/c.iso", "-fda", "/f.img", "-fdb", "/g.img").Devices.Disks;
        Assert.Equal(["hda", "hdb", "hdc", "fda", "fdb"], disks.Select(d => d.TargetDev));
        Assert.Equal(DiskSourceType.Block, disks[1].SourceType);
        Assert.Equal(DiskDeviceKind.Cdrom, disks[2].Device);
        Assert.Equal(DiskBus.Fdc, disks[4].TargetBus);
    }

    [Fact]
    public void Blockdev_in_key_value_form_with_a_format_layer_and_a_device_with_bootindex()
    {
        var d = Def(
            "-blockdev", "driver=file,filename=/img/a.qcow2,node-name=s0,cache.direct=on",
            "-blockdev", "driver=qcow2,file=s0,node-name=f0,read-only=on",
            "-device", "virtio-blk-pci,drive=f0,id=disk0,bootindex=2",
            "-blockdev", "{\"driver\":\"host_device\",\"filename\":\"/dev/vg/b\",\"node-name\":\"s1\"}",
            "-device", "{\"driver\":\"scsi-hd\",\"drive\":\"s1\",\"bus\":\"scsi0.0\",\"scsi-id\":1}",
            "-device", "lsi,id=scsi0");
        Assert.Empty(d.QemuCommandLine);
        var a = d.Devices.Disks[0];
        Assert.Equal(("vda", "/img/a.qcow2", "qcow2", "none", true, 2), (a.TargetDev, a.SourcePath, a.DriverType, a.DriverCache, a.ReadOnly, a.BootOrder));
        var b = d.Devices.Disks[1];
        Assert.Equal(("sdb", DiskSourceType.Block, DiskBus.Scsi), (b.TargetDev, b.SourceType, b.TargetBus));
        Assert.Contains(d.Devices.Controllers, c => c.Type == "scsi" && c.Model == "lsilogic");
    }

    [Fact]
    public void Blockdev_with_inline_json_file_and_every_disk_frontend()
    {
        var d = Def(
            "-blockdev", "{\"driver\":\"raw\",\"node-name\":\"r\",\"file\":{\"driver\":\"file\",\"filename\":\"/r.img\"}}",
            "-device", "ide-hd,drive=r,bus=ide.1,unit=1",
            "-drive", "file=/u.img,if=none,id=u,format=raw",
            "-device", "usb-storage,drive=u",
            "-device", "ide-cd,bus=ide.1,unit=0",
            "-drive", "file=/fl.img,if=none,id=fl",
            "-device", "floppy,drive=fl,unit=0");
        Assert.Equal(["hdd", "sda", "hdc", "fda"], d.Devices.Disks.Select(x => x.TargetDev));
        Assert.Equal("/r.img", d.Devices.Disks[0].SourcePath);
        Assert.Equal("raw", d.Devices.Disks[0].DriverType);
        Assert.Equal(DiskBus.Usb, d.Devices.Disks[1].TargetBus);
        Assert.Null(d.Devices.Disks[2].SourcePath); // empty cdrom
        Assert.Equal(DiskDeviceKind.Floppy, d.Devices.Disks[3].Device);
    }

    [Fact]
    public void A_device_naming_a_missing_drive_is_refused()
    {
        var e = Fails("-device", "ide-hd,drive=nothere");
        Assert.Contains("nothere", e.Message);
    }

    [Fact]
    public void A_disk_device_with_properties_the_model_lacks_is_kept_with_its_backend()
    {
        var args = new[] { "-blockdev", "driver=file,filename=/a.img,node-name=s0", "-device", "virtio-blk-pci,drive=s0,num-queues=4" };
        var parsed = Parse(args);
        Assert.Empty(parsed.Definition.Devices.Disks);
        Assert.Equal(args, parsed.Passthrough);
    }

    [Fact]
    public void Netdev_types_with_nic_devices()
    {
        var d = Def(
            "-netdev", "user,id=n0,net=10.0.2.0/24",
            "-device", "virtio-net-pci,netdev=n0,mac=52:54:00:AA:bb:01,bus=pci.0,addr=0x3",
            "-netdev", "tap,id=n1,ifname=tap7,script=no,downscript=no",
            "-device", "e1000,netdev=n1",
            "-netdev", "bridge,id=n2,br=br0",
            "-device", "{\"driver\":\"rtl8139\",\"netdev\":\"n2\",\"bootindex\":1}");
        var nics = d.Devices.Interfaces;
        Assert.Equal((InterfaceType.User, "virtio", "52:54:00:aa:bb:01"), (nics[0].Type, nics[0].Model, nics[0].Mac));
        Assert.Equal(new InterfaceIp("10.0.2.0", "ipv4", 24), Assert.Single(nics[0].Ips));
        Assert.Equal("0x03", nics[0].Address!["slot"]);
        Assert.Equal((InterfaceType.Ethernet, "tap7", "e1000"), (nics[1].Type, nics[1].TargetDev, nics[1].Model));
        Assert.Equal((InterfaceType.Bridge, "br0", "rtl8139", 1), (nics[2].Type, nics[2].SourceName, nics[2].Model, nics[2].BootOrder));
        Assert.Empty(d.QemuCommandLine);
    }

    [Fact]
    public void Netdev_options_the_model_lacks_keep_nic_and_netdev_whole()
    {
        var args = new[] { "-netdev", "user,id=n0,hostfwd=tcp::2222-:22", "-device", "e1000,netdev=n0" };
        var parsed = Parse(args);
        Assert.Empty(parsed.Definition.Devices.Interfaces);
        Assert.Equal(["-device", "e1000,netdev=n0", "-netdev", "user,id=n0,hostfwd=tcp::2222-:22"], parsed.Passthrough.Chunk(2).OrderBy(c => c[0], StringComparer.Ordinal).SelectMany(c => c));
    }

    [Fact]
    public void Legacy_net_pairs_nic_and_backend_by_vlan_and_nic_option()
    {
        var d = Def("-net", "nic,macaddr=00:11:22:33:44:55,vlan=1,model=rtl8139", "-net", "user,vlan=1", "-net", "nic", "-net", "tap,ifname=t0,script=no");
        Assert.Equal([(InterfaceType.User, "rtl8139"), (InterfaceType.Ethernet, "e1000")], d.Devices.Interfaces.Select(n => (n.Type, n.Model!)));
        Assert.Equal("00:11:22:33:44:55", d.Devices.Interfaces[0].Mac);

        var nic = Assert.Single(Def("-nic", "user,model=virtio-net-pci,mac=52:54:00:00:00:01").Devices.Interfaces);
        Assert.Equal(("virtio", "52:54:00:00:00:01"), (nic.Model, nic.Mac));
        Assert.Empty(Def("-nic", "none").Devices.Interfaces);
        Assert.Empty(Def("-net", "none").Devices.Interfaces);
        Assert.Equal("e1000e", Def("-M", "q35", "-nic", "user").Devices.Interfaces[0].Model);
    }

    [Theory]
    [InlineData("-device", "e1000,netdev=n0,mac=01:00:00:00:00:01")]
    [InlineData("-device", "e1000,netdev=n0,mac=zz:00:00:00:00:01")]
    [InlineData("-nic", "user,mac=52:54:00")]
    public void Bad_mac_addresses_are_refused_naming_the_option(string option, string value)
    {
        var e = Fails("-netdev", "user,id=n0", option, value);
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains(option, e.Message);
        Assert.Contains("MAC", e.Message);
    }

    [Theory]
    [InlineData(":3", 5903, null)]
    [InlineData("127.0.0.1:1", 5901, "127.0.0.1")]
    [InlineData("[::1]:0,audiodev=audio1", 5900, "::1")]
    public void Vnc_displays(string value, int port, string? listen)
    {
        var g = Assert.Single(Def("-vnc", value).Devices.Graphics);
        Assert.Equal((port, false, listen), (g.Port!.Value, g.AutoPort!.Value, g.Listen));
    }

    [Fact]
    public void Vnc_unix_socket_display_and_nographic()
    {
        var g = Assert.Single(Def("-vnc", "unix:/run/vnc.sock").Devices.Graphics);
        Assert.Equal("/run/vnc.sock", g.Socket);
        Assert.Equal("/run/vnc.sock", Assert.Single(g.Listens).Socket);
        Assert.Equal(5901, Assert.Single(Def("-display", "vnc=:1").Devices.Graphics).Port);
        Assert.Empty(Def("-display", "none").Devices.Graphics);
        Assert.Empty(Def("-nographic").Devices.Graphics);
        Assert.Equal(["-display", "gtk"], Parse("-display", "gtk").Passthrough);
        Assert.Equal(["-vnc", ":1,password=on"], Parse("-vnc", ":1,password=on").Passthrough);
    }

    [Fact]
    public void Legacy_serial_forms()
    {
        var serials = Def("-serial", "pty", "-serial", "file:/tmp/s.log", "-serial", "unix:/tmp/s.sock,server,nowait",
            "-serial", "tcp:127.0.0.1:4555,server=on,wait=off", "-serial", "telnet:0.0.0.0:23,server", "-serial", "null").Devices.Serials;
        Assert.Equal([0, 1, 2, 3, 4, 5], serials.Select(s => s.TargetPort!.Value));
        Assert.Equal(CharDeviceSourceType.Pty, serials[0].SourceType);
        Assert.Equal((CharDeviceSourceType.File, "/tmp/s.log"), (serials[1].SourceType, serials[1].Path));
        Assert.Equal((CharDeviceSourceType.Unix, "/tmp/s.sock", "bind"), (serials[2].SourceType, serials[2].Path, serials[2].Mode));
        Assert.Equal((CharDeviceSourceType.Tcp, "127.0.0.1", "4555", "raw"), (serials[3].SourceType, serials[3].Host, serials[3].Service, serials[3].Protocol));
        Assert.Equal("telnet", serials[4].Protocol);
        Assert.Equal(CharDeviceSourceType.Null, serials[5].SourceType);
        Assert.All(serials, s => Assert.Equal("isa-serial", s.TargetType));
        var console = Assert.Single(Def("-serial", "pty").Devices.Consoles);
        Assert.Equal(("serial", 0, CharDeviceSourceType.Pty), (console.TargetType, console.TargetPort, console.SourceType));
    }

    [Fact]
    public void A_chardev_logfile_is_the_serials_log()
    {
        var s = Def("-chardev", "pty,id=charserial0,logfile=/l/a,,b.log,logappend=on", "-device", "isa-serial,chardev=charserial0,id=serial0",
            "-chardev", "file,id=charserial1,path=/l/s1,logfile=/l/c.log", "-device", "isa-serial,chardev=charserial1,id=serial1").Devices.Serials;
        Assert.Equal([("/l/a,b.log", (bool?)true), ("/l/c.log", null)], s.Select(x => (x.LogFile!, x.LogAppend)));
    }

    [Fact]
    public void Serial_stdio_and_none()
    {
        var parsed = Parse("-serial", "stdio", "-serial", "none");
        Assert.Empty(parsed.Definition.Devices.Serials);
        Assert.Equal(["-serial", "stdio"], parsed.Passthrough);
    }

    [Fact]
    public void Chardevs_with_serial_devices()
    {
        var d = Def(
            "-chardev", "pty,id=c0", "-device", "isa-serial,chardev=c0,id=serial0",
            "-chardev", "file,id=c1,path=/tmp/x.log,append=on", "-device", "{\"driver\":\"isa-serial\",\"chardev\":\"c1\",\"index\":3}",
            "-chardev", "socket,id=c2,host=localhost,port=4000,server=on,wait=off,telnet=on", "-serial", "chardev:c2",
            "-chardev", "socket,id=c3,path=/tmp/c3.sock", "-device", "isa-serial,chardev=c3",
            "-chardev", "null,id=c4", "-device", "isa-serial,chardev=c4");
        var s = d.Devices.Serials;
        Assert.Equal([0, 1, 2, 3, 4], s.Select(x => x.TargetPort!.Value));
        Assert.Equal(CharDeviceSourceType.Pty, s[0].SourceType);
        Assert.Equal((CharDeviceSourceType.Tcp, "localhost", "4000", "bind", "telnet"), (s[1].SourceType, s[1].Host, s[1].Service, s[1].Mode, s[1].Protocol));
        Assert.Equal((CharDeviceSourceType.Unix, "/tmp/c3.sock", "connect"), (s[2].SourceType, s[2].Path, s[2].Mode));
        Assert.Equal((CharDeviceSourceType.File, "/tmp/x.log", true), (s[3].SourceType, s[3].Path, s[3].Append));
        Assert.Equal(CharDeviceSourceType.Null, s[4].SourceType);
        Assert.Empty(d.QemuCommandLine);
    }

    [Fact]
    public void Lifecycle_clock_and_process_options()
    {
        var parsed = Parse("-no-reboot", "-no-shutdown", "-rtc", "base=localtime", "-S", "-daemonize", "-pidfile", "/run/q.pid",
            "-nodefaults", "-no-user-config", "-sandbox", "on,obsolete=deny", "-msg", "timestamp=on", "-overcommit", "mem-lock=off");
        var d = parsed.Definition;
        Assert.Equal(LifecycleAction.Destroy, d.OnReboot);
        // -no-shutdown is how libvirt keeps QEMU around to apply on_poweroff itself; the domain keeps destroy.
        Assert.Equal(LifecycleAction.Destroy, d.OnPoweroff);
        Assert.Equal("localtime", d.Clock.Offset);
        Assert.True(parsed.StartPaused);
        Assert.Empty(parsed.Passthrough);
        Assert.Equal("localtime", Def("-localtime").Clock.Offset);
        Assert.Equal("utc", Def("-rtc", "base=utc,clock=host").Clock.Offset);
        Assert.Equal(["-rtc", "base=2006-06-17T16:01:21"], Parse("-rtc", "base=2006-06-17T16:01:21").Passthrough);
        Assert.Equal(["-overcommit", "mem-lock=on"], Parse("-overcommit", "mem-lock=on").Passthrough);
    }

    [Fact]
    public void Usb_and_input_devices()
    {
        var d = Def("-usb", "-usbdevice", "tablet", "-device", "usb-mouse", "-device", "usb-kbd,bus=usb-bus.0", "-device", "virtio-tablet-pci");
        Assert.Contains(d.Devices.Controllers, c => c.Type == "usb");
        Assert.Equal([("tablet", "usb"), ("mouse", "usb"), ("keyboard", "usb"), ("tablet", "virtio"), ("mouse", "ps2"), ("keyboard", "ps2")],
            d.Devices.Inputs.Select(i => (i.Type, i.Bus!)));
        Assert.Equal("piix3-uhci", Assert.Single(Def("-device", "piix3-usb-uhci,id=usb").Devices.Controllers, c => c.Type == "usb").Model);
    }

    [Theory]
    [InlineData("-vga", "std", "vga")]
    [InlineData("-vga", "cirrus", "cirrus")]
    [InlineData("-vga", "virtio", "virtio")]
    [InlineData("-vga", "qxl", "qxl")]
    [InlineData("-vga", "none", "none")]
    [InlineData("-device", "VGA", "vga")]
    [InlineData("-device", "cirrus-vga,id=video0,bus=pci.0,addr=0x2", "cirrus")]
    [InlineData("-device", "virtio-vga", "virtio")]
    [InlineData("-device", "qxl-vga", "qxl")]
    [InlineData("-device", "bochs-display", "bochs")]
    public void Video_forms(string option, string value, string model)
    {
        var video = Assert.Single(Def(option, value).Devices.Videos);
        Assert.Equal(model, video.ModelType);
        Assert.Equal(model == "none" ? null : true, video.Primary);
    }

    [Fact]
    public void Balloon_watchdog_and_rng()
    {
        var d = Def("-device", "virtio-balloon-pci,id=balloon0", "-watchdog", "i6300esb", "-watchdog-action", "pause",
            "-object", "rng-random,id=rng0,filename=/dev/random", "-device", "virtio-rng-pci,rng=rng0");
        Assert.Equal("virtio", d.Devices.Memballoon!.Model);
        Assert.Equal(("i6300esb", "pause"), (d.Devices.Watchdog!.Model, d.Devices.Watchdog.Action));
        var rng = Assert.Single(d.Devices.Rngs);
        Assert.Equal(("random", "/dev/random"), (rng.BackendModel, rng.BackendPath));
        Assert.Empty(d.QemuCommandLine);

        var builtin = Def("-object", "{\"qom-type\":\"rng-builtin\",\"id\":\"r\"}", "-device", "{\"driver\":\"virtio-rng-pci\",\"rng\":\"r\"}");
        Assert.Equal("builtin", Assert.Single(builtin.Devices.Rngs).BackendModel);
        Assert.Equal("ib700", Def("-device", "ib700,id=watchdog0").Devices.Watchdog!.Model);
        Assert.Equal("none", Def().Devices.Memballoon!.Model);
        Assert.Equal(["-watchdog-action", "pause"], Parse("-watchdog-action", "pause").Passthrough);
    }

    [Theory]
    [InlineData(new[] { "-qmp", "unix:/run/q.sock,server=on,wait=off" }, "/run/q.sock")]
    [InlineData(new[] { "-qmp", "unix:/run/q.sock,server,nowait" }, "/run/q.sock")]
    [InlineData(new[] { "-qmp", "unix:/run/q.sock" }, "/run/q.sock")]
    [InlineData(new[] { "-qmp-pretty", "unix:/run/a,,b.sock,server=on,wait=off" }, "/run/a,b.sock")]
    [InlineData(new[] { "-chardev", "socket,id=mon0,path=/run/m.sock,server=on,wait=off", "-mon", "chardev=mon0,mode=control" }, "/run/m.sock")]
    [InlineData(new[] { "--qmp", "unix:/run/q.sock,server=on,wait=off" }, "/run/q.sock")]
    public void Qmp_monitor_forms(string[] args, string path)
    {
        var parsed = Parse(args);
        Assert.Equal(path, parsed.MonitorSocketPath);
        Assert.Empty(parsed.Passthrough);
    }

    [Fact]
    public void Human_monitors_are_kept_as_passthrough()
    {
        Assert.Equal(["-monitor", "stdio"], Parse("-monitor", "stdio").Passthrough);
        var args = new[] { "-chardev", "socket,id=h,path=/run/h.sock,server=on,wait=off", "-mon", "chardev=h,mode=readline" };
        var parsed = Parse(args);
        Assert.Null(parsed.MonitorSocketPath);
        Assert.Equal(args, parsed.Passthrough);
        Assert.Equal(["-qmp", "tcp:localhost:4444,server=on"], Parse("-qmp", "tcp:localhost:4444,server=on").Passthrough);
    }

    [Fact]
    public void Unknown_options_and_devices_are_kept_verbatim_in_order_and_taint_the_domain()
    {
        var parsed = Parse("-name", "x", "-foo", "bar", "-no-hpet", "--frobnicate", "-device", "pvpanic", "-k", "de", "-snapshot", "-d", "int", "-D", "/tmp/q.log");
        Assert.Equal(["-foo", "bar", "-no-hpet", "--frobnicate", "-device", "pvpanic", "-k", "de", "-snapshot", "-d", "int", "-D", "/tmp/q.log"], parsed.Passthrough);
        Assert.Equal(parsed.Passthrough, parsed.Definition.QemuCommandLine);
        Assert.Equal([DomainTaints.CustomArgv], parsed.Taints);
        Assert.Equal("x", parsed.Definition.Name);
    }

    [Fact]
    public void Json_values_are_read_and_invalid_json_is_refused()
    {
        var d = Def("-device", "{\"driver\":\"virtio-balloon-pci\",\"id\":\"balloon0\",\"bus\":\"pci.0\",\"addr\":\"0x4\"}");
        Assert.Equal("0x04", d.Devices.Memballoon!.Address!["slot"]);
        var e = Fails("-device", "{\"driver\":");
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("-device", e.Message);
    }

    [Fact]
    public void A_known_option_without_its_value_is_refused()
    {
        Assert.Contains("-m", Fails("-m").Message);
    }

    [Fact]
    public void Values_the_model_refuses_are_reported_as_the_command_line_problem()
    {
        var e = Fails("-drive", "file=/a.img,if=ide,index=0", "-hda", "/b.img");
        Assert.Equal(ErrorCode.XmlError, e.Code);
        Assert.Contains("hda", e.Message);
        Assert.Contains("command line", e.Message);
    }

    [Fact]
    public void Non_x86_emulators_are_refused_by_the_model()
    {
        var e = Assert.ThrowsAny<VirtException>(() => QemuArgvParser.Parse(["/usr/bin/qemu-system-aarch64"], "x"));
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.Equal("i686", Assert.IsType<string>(QemuArgvParser.Parse(["qemu-system-i386"], "x").Definition.Os.Arch));
    }

    [Fact]
    public void Q35_ide_bus_names_are_sata_ports()
    {
        var d = Def("-M", "q35", "-drive", "file=/a.img,if=none,id=d0", "-device", "ide-hd,drive=d0,bus=ide.2");
        var disk = Assert.Single(d.Devices.Disks);
        Assert.Equal(("sdc", DiskBus.Sata), (disk.TargetDev, disk.TargetBus));
        Assert.Contains(d.Devices.Controllers, c => c.Type == "pci" && c.Model == "pcie-root");
    }

    [Fact]
    public void Device_bootindex_wins_over_boot_order_which_is_kept()
    {
        var parsed = Parse("-boot", "order=dc", "-drive", "file=/a.img,if=none,id=d0", "-device", "ide-hd,drive=d0,bootindex=1");
        Assert.Empty(parsed.Definition.Os.BootDevices);
        Assert.Equal(1, parsed.Definition.Devices.Disks[0].BootOrder);
        Assert.Equal(["-boot", "order=dc"], parsed.Passthrough);
    }

    [Theory]
    [InlineData(0, "a")]
    [InlineData(25, "z")]
    [InlineData(26, "aa")]
    [InlineData(701, "zz")]
    [InlineData(702, "aaa")]
    public void Disk_letters_match_libvirt_names(int index, string letters)
    {
        Assert.Equal(letters, ArgvConversion.DiskLetters(index));
        Assert.Equal(index, DiskNames.ToIndex("sd" + letters));
    }

    [Fact]
    public void A_bare_word_is_the_first_hard_disk_as_in_qemu()
    {
        var disk = Assert.Single(Def("/images/guest.img", "-m", "256").Devices.Disks);
        Assert.Equal(("hda", "/images/guest.img"), (disk.TargetDev, disk.SourcePath));
    }
}
