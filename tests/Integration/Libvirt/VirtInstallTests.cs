using Virt.Integration.Tests.Support;
using Virt.Supervisor.TestGuest;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// Debian's real virt-install against the real virtd: it plans the guest from Virt's capabilities, makes a storage
/// pool for the disk's directory, writes its own XML (ich9 USB with companions, timers, pm), defines and starts it;
/// the test guest then boots and virsh sees it running.
/// </summary>
public sealed class VirtInstallTests : DaemonTestBase
{
    private Virsh Client => new(Daemon.SocketPath);

    [Fact]
    public async Task Virt_install_imports_the_test_guest_and_it_boots()
    {
        var images = Dir.Combine("images");
        Directory.CreateDirectory(images);
        var disk = Path.Combine(images, "guest.img");
        TestGuestImage.Write(disk);
        var serial = Dir.Combine("guest.serial");

        var install = await ClientProcess.RunAsync("virt-install",
        [
            "--connect", Client.Uri, "--name", "imported", "--memory", "32", "--import", "--disk", disk,
            "--osinfo", "generic", "--graphics", "none", "--noautoconsole", "--serial", $"file,path={serial}",
        ], TimeSpan.FromSeconds(120), new Dictionary<string, string> { ["HOME"] = Dir.Path });
        Assert.True(install.Exit == 0, $"virt-install: {install}");
        Assert.Contains("Domain creation completed.", install.Out);

        Assert.Equal("running\n\n", await Client.OkAsync("domstate", "imported"));
        await TestGuest.WaitReadyAsync(Dir.Path, "guest");
        Assert.Equal("imported\n\n", await Client.OkAsync("list", "--name", "--persistent"));

        // What virt-install wrote is what dumpxml shows, with the indexes libvirt would have given.
        var xml = await Client.OkAsync("dumpxml", "--inactive", "imported");
        Assert.Contains("<controller type='usb' index='0' model='ich9-ehci1'/>", xml);
        Assert.Contains("<controller type='usb' index='0' model='ich9-uhci3'>\n      <master startport='4'/>", xml);
        Assert.Contains("<timer name='rtc' tickpolicy='catchup'/>", xml);
        Assert.Contains("<suspend-to-disk enabled='no'/>", xml);
        Assert.Contains($"<source file='{disk}'/>", xml);

        // It made a pool of the disk's directory, as it does against libvirtd, so the disk is a volume.
        Assert.Contains($"<path>{images}</path>", await Client.OkAsync("pool-dumpxml", "images"));
        Assert.Contains("guest.img", await Client.OkAsync("vol-list", "images"));

        Assert.Equal("Domain 'imported' destroyed\n\n", await Client.OkAsync("destroy", "imported"));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
