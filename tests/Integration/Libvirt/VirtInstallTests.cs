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

        // What virt-install wrote is what the definition keeps, completed as libvirt completes it on define: the
        // indexes, the USB2 set in one slot (EHCI at function 7), the implicit controllers and the balloon.
        var xml = await Client.OkAsync("dumpxml", "--inactive", "imported");
        var ehci = System.Text.RegularExpressions.Regex.Match(xml,
            "<controller type='usb' index='0' model='ich9-ehci1'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='(0x[0-9a-f]+)' function='0x7'/>");
        Assert.True(ehci.Success, xml);
        Assert.Contains($"<controller type='usb' index='0' model='ich9-uhci1'>\n      <master startport='0'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='{ehci.Groups[1].Value}' function='0x0' multifunction='on'/>", xml);
        Assert.Contains("<controller type='usb' index='0' model='ich9-uhci3'>\n      <master startport='4'/>", xml);
        Assert.Contains("<controller type='pci' index='0' model='pci-root'/>", xml);
        Assert.Contains("<memballoon model='virtio'>", xml);
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
