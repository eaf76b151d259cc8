using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>The clock timers, power management and USB2 controller sets virt-install writes, as libvirt turns them into argv.</summary>
public sealed class ArgvClockPmUsbTests
{
    private static DomainDefinition WithTimers(params ClockTimer[] timers) =>
        ArgvFixtures.Minimal() with { Clock = new ClockConfig { Timers = timers } };

    [Fact]
    public void Virt_installs_timers_become_libvirts_rtc_pit_and_hpet_options()
    {
        var argv = ArgvFixtures.Build(WithTimers(
            new ClockTimer { Name = "rtc", TickPolicy = "catchup" },
            new ClockTimer { Name = "pit", TickPolicy = "delay" },
            new ClockTimer { Name = "hpet", Present = false }));
        Assert.Equal(["base=utc,driftfix=slew"], argv.ValuesOf("-rtc"));
        Assert.Equal(["kvm-pit.lost_tick_policy=delay"], argv.ValuesOf("-global"));
        Assert.Equal(["type=pc-i440fx-7.2,usb=off,dump-guest-core=off,hpet=off,acpi=off"], argv.ValuesOf("-machine"));
        Assert.Empty(argv.ValuesOf("-cpu"));
    }

    [Fact]
    public void Rtc_track_pit_discard_and_the_paravirtual_clocks_on_the_cpu()
    {
        var argv = ArgvFixtures.Build(WithTimers(
            new ClockTimer { Name = "rtc", Track = "wall" },
            new ClockTimer { Name = "pit", TickPolicy = "discard" },
            new ClockTimer { Name = "kvmclock", Present = false },
            new ClockTimer { Name = "hypervclock", Present = true },
            new ClockTimer { Name = "tsc", Frequency = 4567890000 }));
        Assert.Equal(["base=utc,clock=host"], argv.ValuesOf("-rtc"));
        Assert.Equal(["kvm-pit.lost_tick_policy=discard"], argv.ValuesOf("-global"));
        Assert.Equal(["qemu64,kvmclock=off,hv-time=on,tsc-frequency=4567890000"], argv.ValuesOf("-cpu"));

        var modelled = WithTimers(new ClockTimer { Name = "kvmclock", Present = true }) with { Cpu = new CpuConfig { Model = "core2duo" } };
        Assert.Equal(["core2duo,kvmclock=on"], ArgvFixtures.Build(modelled).ValuesOf("-cpu"));
    }

    [Theory]
    [InlineData("rtc", "merge", null, "unsupported rtc timer tickpolicy 'merge'")]
    [InlineData("rtc", null, "boot", "unsupported rtc timer track 'boot'")]
    [InlineData("pit", "merge", null, "unsupported pit tickpolicy 'merge'")]
    [InlineData("hpet", "catchup", null, "only the rtc and pit timers have a tick policy")]
    public void Timer_settings_qemu_cannot_honour_are_refused(string name, string? policy, string? track, string reason)
    {
        var error = Assert.Throws<VirtException>(() => ArgvFixtures.Build(WithTimers(new ClockTimer { Name = name, TickPolicy = policy, Track = track })));
        Assert.Equal(ErrorCode.ConfigUnsupported, error.Code);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("pc", "PIIX4_PM")]
    [InlineData("q35", "ICH9-LPC")]
    public void Pm_switches_s3_and_s4_on_the_machines_power_device(string machine, string device)
    {
        var def = ArgvFixtures.Minimal(machine) with { Pm = new PowerManagement { SuspendToMem = false, SuspendToDisk = true } };
        // q35's built-in iTCO watchdog is armed as libvirt arms it (ICH9-LPC.noreboot=off) whatever the <pm>.
        var itco = machine == "q35" ? new[] { "ICH9-LPC.noreboot=off" } : [];
        Assert.Equal([$"{device}.disable_s3=1", $"{device}.disable_s4=0", .. itco], ArgvFixtures.Build(def).ValuesOf("-global"));
        Assert.Equal(itco, ArgvFixtures.Build(ArgvFixtures.Minimal(machine)).ValuesOf("-global"));
    }

    private static ControllerDevice[] Usb2Set(int index = 0) =>
    [
        new() { Type = "usb", Index = index, Model = "ich9-ehci1" },
        new() { Type = "usb", Index = index, Model = "ich9-uhci1", MasterStartPort = 0 },
        new() { Type = "usb", Index = index, Model = "ich9-uhci2", MasterStartPort = 2 },
        new() { Type = "usb", Index = index, Model = "ich9-uhci3", MasterStartPort = 4 },
    ];

    [Fact]
    public void A_usb2_set_shares_one_slot_ehci_at_function_7_and_its_companions_at_0_to_2()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal().WithDevices(d => d with { Controllers = Usb2Set() }));
        var ehci = argv.Devices("ich9-usb-ehci1").Single();
        Assert.Equal("usb", (string?)ehci["id"]);
        Assert.Equal("0x2.0x7", (string?)ehci["addr"]);
        var uhci1 = argv.Devices("ich9-usb-uhci1").Single();
        Assert.Equal(("usb.0", 0, "0x2", true), ((string?)uhci1["masterbus"], (int?)uhci1["firstport"], (string?)uhci1["addr"], (bool?)uhci1["multifunction"]));
        Assert.Equal(("0x2.0x1", 2), ((string?)argv.Devices("ich9-usb-uhci2").Single()["addr"], (int?)argv.Devices("ich9-usb-uhci2").Single()["firstport"]));
        Assert.Equal(("0x2.0x2", 4), ((string?)argv.Devices("ich9-usb-uhci3").Single()["addr"], (int?)argv.Devices("ich9-usb-uhci3").Single()["firstport"]));
        Assert.Empty(argv.Devices("piix3-usb-uhci"));
    }

    [Fact]
    public void On_q35_the_first_usb2_sets_go_where_ich9_has_them_and_a_written_address_moves_the_whole_set()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal("q35").WithDevices(d => d with { Controllers = [.. Usb2Set(), .. Usb2Set(1)] }));
        Assert.Equal(["0x1d.0x7", "0x1a.0x7"], argv.Devices("ich9-usb-ehci1").Select(e => (string?)e["addr"]));
        Assert.Equal(["usb", "usb1"], argv.Devices("ich9-usb-ehci1").Select(e => (string?)e["id"]));
        Assert.Equal(["usb.0", "usb1.0"], argv.Devices("ich9-usb-uhci1").Select(e => (string?)e["masterbus"]));

        var written = Usb2Set();
        written[1] = written[1] with { Address = new DeviceAddress { Type = "pci", Attributes = [new("slot", "0x07"), new("function", "0x0"), new("multifunction", "on")] } };
        var moved = ArgvFixtures.Build(ArgvFixtures.Minimal().WithDevices(d => d with { Controllers = written }));
        Assert.Equal("0x7.0x7", (string?)moved.Devices("ich9-usb-ehci1").Single()["addr"]);
        Assert.Equal("0x7.0x2", (string?)moved.Devices("ich9-usb-uhci3").Single()["addr"]);
    }

    [Fact]
    public void A_second_usb_bus_gets_its_own_id_and_devices_stay_on_the_first()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Controllers = [new ControllerDevice { Type = "usb", Index = 0, Model = "piix3-uhci" }, new ControllerDevice { Type = "usb", Index = 1, Model = "qemu-xhci" }],
            Inputs = [new InputDevice { Type = "tablet", Bus = "usb" }],
        }));
        Assert.Equal("0x1.0x2", (string?)argv.Devices("piix3-usb-uhci").Single()["addr"]);
        Assert.Equal("usb1", (string?)argv.Devices("qemu-xhci").Single()["id"]);
        Assert.Equal("usb.0", (string?)argv.Devices("usb-tablet").Single()["bus"]);
    }

    [Fact]
    public void A_usb_controller_written_without_a_model_is_libvirts_piix3_uhci_even_on_q35()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal("q35").WithDevices(d => d with { Controllers = [new ControllerDevice { Type = "usb" }] }));
        Assert.Single(argv.Devices("piix3-usb-uhci"));
        Assert.Single(ArgvFixtures.Build(ArgvFixtures.Minimal("q35")).Devices("qemu-xhci"));
    }

    [Theory]
    [InlineData("ich9-uhci1", "qemu-xhci")]
    [InlineData("ich9-uhci2", null)]
    public void Companions_without_an_ehci_master_are_refused(string companion, string? other)
    {
        ControllerDevice[] controllers = other is null
            ? [new() { Type = "usb", Model = companion, MasterStartPort = 2 }]
            : [new() { Type = "usb", Model = other }, new() { Type = "usb", Model = companion, MasterStartPort = 0 }];
        var error = Assert.Throws<VirtException>(() => ArgvFixtures.Build(ArgvFixtures.Minimal().WithDevices(d => d with { Controllers = controllers })));
        Assert.Contains("need one ich9-ehci1 master", error.Message);
    }
}
