using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Supervisor.CommandLine;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Builds argv for definitions made in code and checks over QMP that the real QEMU created what they ask for.</summary>
public sealed class ArgvOnRealQemuTests
{
    private static async Task<(RunningQemu Qemu, QemuCommandLine Line)> StartAsync(DomainDefinition def, TempDirectory dir, CancellationToken ct)
    {
        var ctx = new QemuArgvContext(dir.Combine("mon.sock"), dir.Path);
        var line = QemuArgvBuilder.Build(def, HostQemu.Caps, ctx);
        return (await RunningQemu.StartAsync(line, ctx.MonitorSocketPath, ct), line);
    }

    [Fact]
    public async Task Every_disk_bus_and_controller_appears_in_query_block_and_query_pci()
    {
        using var dir = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        string Image(string name, string format)
        {
            var path = dir.Combine(name);
            HostQemu.CreateImage(path, format);
            return path;
        }
        var def = ArgvFixtures.Minimal() with
        {
            Os = new OsConfig { Arch = "x86_64", Machine = "pc", BootDevices = [BootDevice.Cdrom, BootDevice.HardDisk] },
            Devices = new DeviceSet
            {
                Disks =
                [
                    ArgvFixtures.FileDisk("hda", DiskBus.Ide, Image("ide, odd=name.qcow2", "qcow2")) with { DriverType = "qcow2", DriverCache = "writeback" },
                    ArgvFixtures.FileDisk("hdc", DiskBus.Ide, Image("cd.iso", "raw"), DiskDeviceKind.Cdrom),
                    ArgvFixtures.FileDisk("hdd", DiskBus.Ide, "", DiskDeviceKind.Cdrom) with { SourcePath = null },
                    ArgvFixtures.FileDisk("sda", DiskBus.Scsi, Image("scsi.raw", "raw")) with { DriverCache = "unsafe" },
                    ArgvFixtures.FileDisk("sdb", DiskBus.Scsi, Image("scsi-cd.raw", "raw"), DiskDeviceKind.Cdrom),
                    ArgvFixtures.FileDisk("vda", DiskBus.Virtio, Image("-virtio.qcow2", "qcow2")) with { DriverType = "qcow2", ReadOnly = true },
                    ArgvFixtures.FileDisk("fdb", DiskBus.Fdc, Image("floppy.img", "raw"), DiskDeviceKind.Floppy),
                    ArgvFixtures.FileDisk("sdc", DiskBus.Usb, Image("usb.raw", "raw")) with { DriverCache = "writethrough" },
                ],
                Controllers = [new ControllerDevice { Type = "scsi", Index = 0, Model = "virtio-scsi" }, new ControllerDevice { Type = "usb", Index = 0 }],
                Memballoon = new MemballoonDevice { Model = "virtio", StatsPeriod = 10 },
            },
        };

        var (qemu, line) = await StartAsync(def, dir, ct);
        await using (qemu)
        {
            var block = (await qemu.ExecuteAsync("query-block", ct)).AsArray();
            var byQdev = block.ToDictionary(b => (string)b!["qdev"]!, b => b!);
            Assert.Equal(dir.Combine("ide, odd=name.qcow2"), (string?)byQdev["ide0-0-0"]["inserted"]!["file"]);
            Assert.Equal("qcow2", (string?)byQdev["ide0-0-0"]["inserted"]!["drv"]);
            Assert.True((bool)byQdev["ide0-1-0"]["removable"]!);
            Assert.True((bool)byQdev["ide0-1-0"]["inserted"]!["ro"]!);
            Assert.Null(byQdev["ide0-1-1"]["inserted"]);
            Assert.True((bool)byQdev["ide0-1-1"]["removable"]!);
            Assert.Equal(dir.Combine("scsi.raw"), (string?)byQdev["scsi0-0-0-0"]["inserted"]!["file"]);
            Assert.True((bool)byQdev["scsi0-0-0-0"]["inserted"]!["cache"]!["no-flush"]!);
            Assert.True((bool)byQdev["scsi0-0-0-1"]["removable"]!);
            var virtio = byQdev.Single(kv => kv.Key.Contains("virtio-disk0")).Value;
            Assert.Equal(dir.Combine("-virtio.qcow2"), (string?)virtio["inserted"]!["file"]);
            Assert.True((bool)virtio["inserted"]!["ro"]!);
            Assert.Equal(dir.Combine("floppy.img"), (string?)byQdev["fdc0-0-1"]["inserted"]!["file"]);
            // usb-storage's inner SCSI disk re-applies its own write cache default, so only the image is checked here.
            var usbDisk = byQdev.Single(kv => kv.Key.Contains("/usb-disk2/", StringComparison.Ordinal)).Value;
            Assert.Equal(dir.Combine("usb.raw"), (string?)usbDisk["inserted"]!["file"]);
            Assert.False((bool)byQdev["ide0-0-0"]["inserted"]!["cache"]!["direct"]!);

            var pci = (await qemu.ExecuteAsync("query-pci", ct)).AsArray()[0]!["devices"]!.AsArray();
            var qdevIds = pci.Select(d => (string?)d!["qdev_id"]).ToList();
            Assert.Contains("usb", qdevIds);
            Assert.Contains("scsi0", qdevIds);
            Assert.Contains("virtio-disk0", qdevIds);
            Assert.Contains("balloon0", qdevIds);
            var usb = pci.Single(d => (string?)d!["qdev_id"] == "usb")!;
            Assert.Equal((1, 2), ((int)usb["slot"]!, (int)usb["function"]!)); // PIIX3 UHCI sits in the south bridge's slot
        }
    }

    [Fact]
    public async Task A_q35_guest_with_every_other_device_kind_runs_and_shows_them()
    {
        using var dir = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var sata = dir.Combine("sata,disk.qcow2");
        HostQemu.CreateImage(sata, "qcow2");
        var floppy = dir.Combine("floppy.img");
        HostQemu.CreateImage(floppy, "raw");
        var vncSocket = dir.Combine("v=n,c.sock");
        var def = ArgvFixtures.Minimal("q35") with
        {
            Name = "guest, with=comma",
            Features = new FeatureSet { Acpi = true },
            Clock = new ClockConfig { Offset = "localtime" },
            OnReboot = LifecycleAction.Destroy,
            Devices = new DeviceSet
            {
                Disks =
                [
                    ArgvFixtures.FileDisk("sda", DiskBus.Sata, sata) with { DriverType = "qcow2", DriverCache = "none", BootOrder = 2 },
                    ArgvFixtures.FileDisk("fda", DiskBus.Fdc, floppy, DiskDeviceKind.Floppy),
                ],
                Interfaces =
                [
                    new InterfaceDevice { Type = InterfaceType.User, Model = "virtio", Mac = "52:54:00:12:34:56", BootOrder = 1,
                        Ips = [new InterfaceIp("10.0.9.0", "ipv4", 24)] },
                    new InterfaceDevice { Type = InterfaceType.User, Model = "e1000e" },
                ],
                Serials =
                [
                    new CharDevice { SourceType = CharDeviceSourceType.Pty },
                    new CharDevice { SourceType = CharDeviceSourceType.Unix, Path = dir.Combine("ser,ial1.sock"), Mode = "bind", TargetPort = 1 },
                    new CharDevice { SourceType = CharDeviceSourceType.Null, TargetPort = 2 },
                    new CharDevice { SourceType = CharDeviceSourceType.Tcp, Host = "127.0.0.1", Service = "0", Mode = "bind", Protocol = "telnet", TargetPort = 3 },
                ],
                Consoles = [new CharDevice { SourceType = CharDeviceSourceType.Pty }, new CharDevice { SourceType = CharDeviceSourceType.Pty, TargetType = "virtio" }],
                Inputs = [new InputDevice { Type = "tablet", Bus = "usb" }, new InputDevice { Type = "keyboard", Bus = "virtio" }],
                Graphics = [new GraphicsDevice { Socket = vncSocket }],
                Videos = [new VideoDevice { ModelType = "virtio", Heads = 2 }],
                Watchdog = new WatchdogDevice { Model = "i6300esb", Action = "pause" },
                Rngs = [new RngDevice { BackendModel = "builtin" }, new RngDevice { BackendModel = "random" }],
            },
        };

        var (qemu, line) = await StartAsync(def, dir, ct);
        await using (qemu)
        {
            var name = await qemu.ExecuteAsync("query-name", ct);
            Assert.Equal("guest, with=comma", (string?)name["name"]);
            var vnc = await qemu.ExecuteAsync("query-vnc", ct);
            Assert.True((bool)vnc["enabled"]!);
            Assert.Equal("unix", (string?)vnc["family"]);
            Assert.True(File.Exists(vncSocket));

            var block = (await qemu.ExecuteAsync("query-block", ct)).AsArray();
            Assert.Contains(block, b => (string?)b!["inserted"]?["file"] == sata && (bool)b!["inserted"]!["cache"]!["direct"]!);
            Assert.Contains(block, b => (string?)b!["inserted"]?["file"] == floppy);

            var chardevs = (await qemu.ExecuteAsync("query-chardev", ct)).AsArray().Select(c => (string)c!["label"]!).ToList();
            Assert.Superset(new HashSet<string> { "charserial0", "charserial1", "charserial2", "charserial3", "charconsole1", "charmonitor" }, chardevs.ToHashSet());
            Assert.True(File.Exists(dir.Combine("ser,ial1.sock")));

            // Behind root ports before the firmware numbers the buses, query-pci shows only the root bus: QOM shows all.
            var peripherals = (await qemu.ExecuteAsync("qom-list", ct, new JsonObject { ["path"] = "/machine/peripheral" })).AsArray()
                .Select(p => (string)p!["name"]!).ToHashSet();
            Assert.Superset(new HashSet<string> { "usb", "net0", "net1", "video0", "watchdog0", "balloon0", "rng0", "rng1", "input1", "virtio-serial0", "pci.1" }, peripherals);
            Assert.Superset(new HashSet<string> { "input0", "console1", "fdc0-0-0", "sata0-0-0" }, peripherals);
            var netBus = await qemu.ExecuteAsync("qom-get", ct, new JsonObject { ["path"] = "/machine/peripheral/net0", ["property"] = "parent_bus" });
            Assert.StartsWith("/machine/peripheral/pci.", (string)netBus!); // a PCIe device on q35 sits behind its own root port

            var bootIndex = await qemu.ExecuteAsync("qom-get", ct, new JsonObject { ["path"] = "/machine/peripheral/net0", ["property"] = "bootindex" });
            Assert.Equal(1, (int)bootIndex);
        }
        Assert.Contains("-no-reboot", line.Arguments);
    }

    /// <summary>What virt-install writes for q35: a USB2 set in one slot, rtc/pit/hpet timers and pm, on the real QEMU.</summary>
    [Theory]
    [InlineData("pc")]
    [InlineData("q35")]
    public async Task A_usb2_set_timers_and_pm_run_on_qemu(string machine)
    {
        using var dir = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var def = ArgvFixtures.Minimal(machine) with
        {
            Features = new FeatureSet { Acpi = true, Apic = true },
            Clock = new ClockConfig
            {
                Timers =
                [
                    new ClockTimer { Name = "rtc", TickPolicy = "catchup" },
                    new ClockTimer { Name = "pit", TickPolicy = "delay" },
                    new ClockTimer { Name = "hpet", Present = false },
                    new ClockTimer { Name = "kvmclock", Present = false },
                ],
            },
            Pm = new PowerManagement { SuspendToMem = false, SuspendToDisk = false },
            Devices = new DeviceSet
            {
                Controllers =
                [
                    new ControllerDevice { Type = "usb", Model = "ich9-ehci1" },
                    new ControllerDevice { Type = "usb", Model = "ich9-uhci1", MasterStartPort = 0 },
                    new ControllerDevice { Type = "usb", Model = "ich9-uhci2", MasterStartPort = 2 },
                    new ControllerDevice { Type = "usb", Model = "ich9-uhci3", MasterStartPort = 4 },
                ],
                Inputs = [new InputDevice { Type = "tablet", Bus = "usb" }],
                Memballoon = new MemballoonDevice { Model = "none" },
            },
        };

        var (qemu, _) = await StartAsync(def, dir, ct);
        await using (qemu)
        {
            var pci = (await qemu.ExecuteAsync("query-pci", ct)).AsArray()[0]!["devices"]!.AsArray();
            var ehci = pci.Single(d => (string?)d!["qdev_id"] == "usb")!;
            var slot = (int)ehci["slot"]!;
            Assert.Equal(7, (int)ehci["function"]!);
            if (machine == "q35")
                Assert.Equal(0x1d, slot);
            var functions = pci.Where(d => (int)d!["slot"]! == slot).Select(d => (int)d!["function"]!).Order();
            Assert.Equal([0, 1, 2, 7], functions);

            var hpet = await qemu.ExecuteAsync("qom-get", ct, new JsonObject { ["path"] = "/machine", ["property"] = "hpet" });
            Assert.False((bool)hpet);
            var power = await FindUnattachedAsync(qemu, machine == "q35" ? "ICH9-LPC" : "PIIX4_PM", ct);
            foreach (var property in new[] { "disable_s3", "disable_s4" })
                Assert.Equal(1, (int)await qemu.ExecuteAsync("qom-get", ct, new JsonObject { ["path"] = power, ["property"] = property }));
            Assert.Contains((await qemu.ExecuteAsync("qom-list", ct, new JsonObject { ["path"] = "/machine/peripheral" })).AsArray(), p => (string?)p!["name"] == "input0");
        }
    }

    /// <summary>The QOM path of the machine's built-in device of a type: built-in devices sit unnamed under /machine/unattached.</summary>
    private static async Task<string> FindUnattachedAsync(RunningQemu qemu, string type, CancellationToken ct)
    {
        var children = (await qemu.ExecuteAsync("qom-list", ct, new JsonObject { ["path"] = "/machine/unattached" })).AsArray()
            .Select(c => (string)c!["name"]!).Where(n => n.StartsWith("device[", StringComparison.Ordinal));
        foreach (var child in children)
        {
            var path = "/machine/unattached/" + child;
            if ((string?)await qemu.ExecuteAsync("qom-get", ct, new JsonObject { ["path"] = path, ["property"] = "type" }) == type)
                return path;
        }
        throw new Xunit.Sdk.XunitException($"no {type} under /machine/unattached");
    }

    /// <summary>What virt-install gives a desktop guest: SPICE with its agent channel and USB redirection, the guest agent, HDA sound.</summary>
    [Fact]
    public async Task A_spice_desktop_guest_runs_with_its_agent_channels_redirection_and_sound()
    {
        using var dir = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var ct = timeout.Token;
        var def = ArgvFixtures.Minimal("q35") with
        {
            Devices = new DeviceSet
            {
                Controllers = [new ControllerDevice { Type = "usb", Model = "qemu-xhci", Ports = 15 }],
                Channels =
                [
                    new CharDevice { SourceType = CharDeviceSourceType.Unix, Mode = "bind", TargetType = "virtio", TargetName = "org.qemu.guest_agent.0" },
                    new CharDevice { SourceType = CharDeviceSourceType.Spicevmc, TargetType = "virtio", TargetName = "com.redhat.spice.0" },
                ],
                Inputs = [new InputDevice { Type = "tablet", Bus = "usb" }],
                Graphics = [new GraphicsDevice { Type = "spice", Port = -1, TlsPort = -1, AutoPort = true, Spice = new SpiceOptions { ImageCompression = "off" } }],
                Sounds = [new SoundDevice { Model = "ich9" }],
                Videos = [new VideoDevice { ModelType = "virtio" }],
                Redirdevs = [new RedirDevice { SourceType = "spicevmc" }, new RedirDevice { SourceType = "spicevmc" }],
                Memballoon = new MemballoonDevice { Model = "virtio" },
            },
        };

        var (qemu, _) = await StartAsync(def, dir, ct);
        await using (qemu)
        {
            var spice = await qemu.ExecuteAsync("query-spice", ct);
            Assert.True((bool)spice["enabled"]!);
            Assert.Equal("127.0.0.1", (string?)spice["host"]);
            Assert.InRange((int)spice["port"]!, 5900, 65535);
            var peripherals = (await qemu.ExecuteAsync("qom-list", ct, new JsonObject { ["path"] = "/machine/peripheral" })).AsArray()
                .Select(p => (string)p!["name"]!).ToHashSet();
            Assert.Superset(new HashSet<string> { "channel0", "channel1", "redir0", "redir1", "sound0", "sound0-codec0", "input0", "video0", "usb" }, peripherals);
            Assert.True(File.Exists(dir.Combine("org.qemu.guest_agent.0")), "the guest agent's socket is in the domain's runtime directory");
            var redirPort = await qemu.ExecuteAsync("qom-get", ct, new JsonObject { ["path"] = "/machine/peripheral/redir1", ["property"] = "port" });
            Assert.Equal("3", (string?)redirPort); // the tablet has port 1, the first redirection port 2
        }
    }
}
