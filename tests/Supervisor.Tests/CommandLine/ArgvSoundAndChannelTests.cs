using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Sound cards and virtio channels, the devices virt-install adds to a desktop guest, as libvirt writes them.</summary>
public sealed class ArgvSoundAndChannelTests
{
    [Fact]
    public void An_ich9_sound_card_sits_at_00_1b_on_q35_with_a_duplex_codec_on_the_audio_backend()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal("q35").WithDevices(d => d with
        {
            Sounds = [new SoundDevice { Model = "ich9" }, new SoundDevice { Model = "ac97" }],
        }));
        var hda = argv.Devices("ich9-intel-hda").Single();
        Assert.Equal(("sound0", "pcie.0", "0x1b"), ((string?)hda["id"], (string?)hda["bus"], (string?)hda["addr"]));
        var codec = argv.Devices("hda-duplex").Single();
        Assert.Equal(("sound0.0", 0, "audio1"), ((string?)codec["bus"], (int?)codec["cad"], (string?)codec["audiodev"]));
        // AC97 is conventional PCI: on q35 it goes behind a pcie-to-pci-bridge.
        var ac97 = argv.Devices("AC97").Single();
        Assert.Equal("audio1", (string?)ac97["audiodev"]);
        Assert.Single(argv.Devices("pcie-pci-bridge"));
        Assert.StartsWith("pci.", (string?)ac97["bus"]);
    }

    [Fact]
    public void The_guest_agent_channel_gets_a_socket_in_the_domains_runtime_directory_and_port_1()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Channels = [new CharDevice { SourceType = CharDeviceSourceType.Unix, Mode = "bind", TargetType = "virtio", TargetName = "org.qemu.guest_agent.0" }],
        }));
        Assert.Contains($"socket,id=charchannel0,path={ArgvFixtures.Context.RuntimeDirectory}/org.qemu.guest_agent.0,server=on,wait=off", argv.ValuesOf("-chardev"));
        var port = argv.Devices("virtserialport").Single();
        Assert.Equal(("virtio-serial0.0", 1, "charchannel0", "org.qemu.guest_agent.0"),
            ((string?)port["bus"], (int?)port["nr"], (string?)port["chardev"], (string?)port["name"]));
        Assert.Single(argv.Devices("virtio-serial-pci")); // the controller the channel needs, added as libvirt adds it
    }

    [Fact]
    public void A_spice_agent_channel_without_spice_graphics_is_refused()
    {
        var error = Assert.Throws<VirtException>(() => ArgvFixtures.Build(ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Channels = [new CharDevice { SourceType = CharDeviceSourceType.Spicevmc, TargetType = "virtio" }],
        })));
        Assert.Contains("needs <graphics type='spice'>", error.Message);
    }
}
