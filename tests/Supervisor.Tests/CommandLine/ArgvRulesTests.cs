using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Guest-wide rules: accelerator, machine, sandbox, memory, lifecycle, boot order, and what is refused.</summary>
public sealed class ArgvRulesTests
{
    private static VirtException Refused(DomainDefinition def, Virt.Supervisor.Capabilities.QemuCapabilities? caps = null) =>
        Assert.ThrowsAny<VirtException>(() => ArgvFixtures.Build(def, caps));

    [Fact]
    public void Always_paused_without_defaults_or_user_config_and_with_a_qmp_monitor()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal());
        Assert.Contains("-S", argv);
        Assert.Contains("-no-user-config", argv);
        Assert.Contains("-nodefaults", argv);
        Assert.Contains("-no-shutdown", argv);
        Assert.DoesNotContain("-daemonize", argv);
        Assert.Equal(["chardev=charmonitor,id=monitor,mode=control"], argv.ValuesOf("-mon"));
        Assert.Equal(["tcg"], argv.ValuesOf("-accel"));
        Assert.Equal(["none"], argv.ValuesOf("-display"));
        Assert.Equal(["strict=on"], argv.ValuesOf("-boot"));
    }

    [Fact]
    public void Kvm_is_refused_without_kvm_and_used_with_it()
    {
        var def = ArgvFixtures.Minimal() with { Type = DomainType.Kvm };
        var error = Refused(def);
        Assert.Equal(ErrorCode.ConfigUnsupported, error.Code);
        Assert.Contains("kvm", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["kvm"], ArgvFixtures.Build(def, ArgvFixtures.Caps(kvm: true)).ValuesOf("-accel"));
    }

    [Fact]
    public void An_unknown_machine_is_refused_naming_the_valid_ones()
    {
        var error = Refused(ArgvFixtures.Minimal("pc-i440fx-99.0"));
        Assert.Equal(ErrorCode.ConfigUnsupported, error.Code);
        Assert.Contains("pc-i440fx-99.0", error.Message);
        Assert.Contains("pc-q35-7.2", error.Message);
    }

    [Fact]
    public void A_machine_the_builder_cannot_lay_out_is_refused() =>
        Assert.Equal(ErrorCode.ConfigUnsupported, Refused(ArgvFixtures.Minimal("microvm")).Code);

    [Fact]
    public void The_alias_resolves_to_the_versioned_machine_and_no_machine_means_the_default()
    {
        Assert.StartsWith("type=pc-q35-7.2,", ArgvFixtures.Build(ArgvFixtures.Minimal("q35")).ValuesOf("-machine").Single());
        var noMachine = ArgvFixtures.Minimal() with { Os = new OsConfig() };
        Assert.StartsWith("type=pc-i440fx-7.2,", ArgvFixtures.Build(noMachine).ValuesOf("-machine").Single());
    }

    [Fact]
    public void Sandbox_only_when_the_emulator_supports_it()
    {
        Assert.Equal(["on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"],
            ArgvFixtures.Build(ArgvFixtures.Minimal()).ValuesOf("-sandbox"));
        Assert.Empty(ArgvFixtures.Build(ArgvFixtures.Minimal(), ArgvFixtures.Caps(sandbox: false)).ValuesOf("-sandbox"));
    }

    [Theory]
    [InlineData(219100UL, "size=219136k")]
    [InlineData(1048576UL, "size=1048576k")]
    [InlineData(1UL, "size=1024k")]
    public void Memory_is_rounded_up_to_a_whole_MiB(ulong kib, string expected) =>
        Assert.Equal([expected], ArgvFixtures.Build(ArgvFixtures.Minimal() with { MemoryKiB = kib }).ValuesOf("-m"));

    [Fact]
    public void Identity_cpu_and_clock()
    {
        var def = ArgvFixtures.Minimal() with
        {
            Vcpu = new VcpuConfig { Count = 2 },
            Cpu = new CpuConfig { Mode = "custom", Model = "Nehalem" },
            Clock = new ClockConfig { Offset = "localtime" },
            Features = new FeatureSet { Acpi = true },
        };
        var argv = ArgvFixtures.Build(def);
        Assert.Equal(["guest=QEMUGuest1,debug-threads=on"], argv.ValuesOf("-name"));
        Assert.Equal([ArgvFixtures.Uuid.ToString()], argv.ValuesOf("-uuid"));
        Assert.Equal(["cpus=2,sockets=2,cores=1,threads=1"], argv.ValuesOf("-smp"));
        Assert.Equal(["Nehalem"], argv.ValuesOf("-cpu"));
        Assert.Equal(["base=localtime"], argv.ValuesOf("-rtc"));
        Assert.Contains("acpi=on", argv.ValuesOf("-machine").Single());
        Assert.Equal(ErrorCode.ConfigUnsupported, Refused(def with { Clock = new ClockConfig { Offset = "variable" } }).Code);
        Assert.Equal(ErrorCode.ConfigUnsupported, Refused(def with { Cpu = new CpuConfig { Mode = "host-passthrough" } }).Code);
        Assert.Equal(ErrorCode.ConfigUnsupported, Refused(def with { Vcpu = new VcpuConfig { Count = 256 } }).Code);
    }

    [Fact]
    public void On_reboot_destroy_adds_no_reboot()
    {
        Assert.DoesNotContain("-no-reboot", ArgvFixtures.Build(ArgvFixtures.Minimal()));
        Assert.Contains("-no-reboot", ArgvFixtures.Build(ArgvFixtures.Minimal() with { OnReboot = LifecycleAction.Destroy }));
    }

    [Fact]
    public void Kernel_initrd_and_append_are_passed_verbatim()
    {
        var def = ArgvFixtures.Minimal() with
        {
            Os = new OsConfig { Machine = "pc", Kernel = "/boot/vmlinuz,x", Initrd = "/boot/initrd", Cmdline = "console=ttyS0,115200 quiet" },
        };
        var argv = ArgvFixtures.Build(def);
        Assert.Equal(["/boot/vmlinuz,x"], argv.ValuesOf("-kernel"));
        Assert.Equal(["/boot/initrd"], argv.ValuesOf("-initrd"));
        Assert.Equal(["console=ttyS0,115200 quiet"], argv.ValuesOf("-append"));
    }

    [Fact]
    public void Os_boot_order_goes_to_the_first_device_of_each_kind()
    {
        var def = ArgvFixtures.Minimal() with
        {
            Os = new OsConfig { Machine = "pc", BootDevices = [BootDevice.Network, BootDevice.Cdrom, BootDevice.HardDisk, BootDevice.Floppy] },
            Devices = new DeviceSet
            {
                Disks =
                [
                    ArgvFixtures.FileDisk("hda", DiskBus.Ide),
                    ArgvFixtures.FileDisk("hdb", DiskBus.Ide),
                    ArgvFixtures.FileDisk("hdc", DiskBus.Ide, "/x.iso", DiskDeviceKind.Cdrom),
                    ArgvFixtures.FileDisk("fda", DiskBus.Fdc, "/f.img", DiskDeviceKind.Floppy),
                ],
                Interfaces = [new InterfaceDevice { Type = InterfaceType.User, Mac = "52:54:00:00:00:01" }],
                Memballoon = new MemballoonDevice { Model = "none" },
            },
        };
        var argv = ArgvFixtures.Build(def);
        Assert.Equal(1, (int?)argv.Devices("rtl8139").Single()["bootindex"]);
        Assert.Equal(2, (int?)argv.Devices("ide-cd").Single()["bootindex"]);
        var disks = argv.Devices("ide-hd");
        Assert.Equal(3, (int?)disks.Single(d => (string?)d["id"] == "ide0-0-0")["bootindex"]);
        Assert.Null(disks.Single(d => (string?)d["id"] == "ide0-0-1")["bootindex"]);
        Assert.Equal(["isa-fdc.bootindexA=4"], argv.ValuesOf("-global"));
    }

    [Fact]
    public void Without_any_boot_element_the_first_disk_boots()
    {
        var def = ArgvFixtures.Minimal().WithDevices(d => d with { Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio), ArgvFixtures.FileDisk("vdb", DiskBus.Virtio)] });
        Assert.Equal([1, null], ArgvFixtures.Build(def).Devices("virtio-blk-pci").Select(d => (int?)d["bootindex"]));
    }

    [Fact]
    public void Per_device_boot_order_wins_and_cannot_be_mixed_with_os_boot()
    {
        var def = ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio) with { BootOrder = 2 }],
            Interfaces = [new InterfaceDevice { Type = InterfaceType.User, BootOrder = 1 }],
        });
        var argv = ArgvFixtures.Build(def);
        Assert.Equal(2, (int?)argv.Devices("virtio-blk-pci").Single()["bootindex"]);
        Assert.Equal(1, (int?)argv.Devices("rtl8139").Single()["bootindex"]);
        var mixed = def with { Os = def.Os with { BootDevices = [BootDevice.HardDisk] } };
        Assert.Equal(ErrorCode.XmlError, Refused(mixed).Code);
        var duplicate = def.WithDevices(d => d with { Interfaces = [new InterfaceDevice { Type = InterfaceType.User, BootOrder = 2 }] });
        Assert.Equal(ErrorCode.XmlError, Refused(duplicate).Code);
    }
}
