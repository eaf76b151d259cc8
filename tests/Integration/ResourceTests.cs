using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>setmem, setmaxmem and setvcpus through `virt` and the real virsh: config changes saved, live ones through QEMU's balloon, libvirt's refusals.</summary>
public sealed class ResourceTests : DaemonTestBase
{
    private string Uri => $"qemu:///session?socket={Daemon.SocketPath}";

    private Virsh Virsh => new(Daemon.SocketPath);

    private async Task<NativeVirt.Result> Virt(params string[] args) => await NativeVirt.RunAsync(["-c", Uri, .. args]);

    private async Task DefineAsync(string name, bool balloon)
    {
        var xml = TestGuest.Xml(Dir.Path, name);
        if (balloon)
            xml = xml.Replace("<memballoon model='none'/>", "<memballoon model='virtio'/>");
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, xml);
        await Virsh.OkAsync("define", file);
    }

    [Fact]
    public async Task Config_changes_are_saved_and_checked_against_the_maximum()
    {
        await DefineAsync("rs", balloon: false);
        Assert.Equal(0, (await Virt("setmem", "rs", "8M", "--config")).Exit);
        Assert.Contains("<currentMemory unit='KiB'>8192</currentMemory>", await Virsh.OkAsync("dumpxml", "--inactive", "rs"));
        Assert.Contains("Used memory:    8192 KiB", await Virsh.OkAsync("dominfo", "rs"));

        Assert.Equal("\n", await Virsh.OkAsync("setmaxmem", "rs", "32768"));
        var info = await Virsh.OkAsync("dominfo", "rs");
        Assert.Contains("Max memory:     32768 KiB", info);
        Assert.Contains("Used memory:    8192 KiB", info);

        var tooMuch = await Virsh.RunAsync("setmem", "rs", "64M", "--config");
        Assert.NotEqual(0, tooMuch.Exit);
        Assert.Contains("cannot set memory higher than max memory", tooMuch.Err);
        var shutOff = await Virsh.RunAsync("setmem", "rs", "4M"); // virsh's default is --live
        Assert.NotEqual(0, shutOff.Exit);
        Assert.Contains("domain is not running", shutOff.Err);

        Assert.Equal("\n", await Virsh.OkAsync("setvcpus", "rs", "2", "--maximum", "--config"));
        Assert.Contains(">2</vcpu>", await Virsh.OkAsync("dumpxml", "--inactive", "rs"));
        var beyond = await Virt("setvcpus", "rs", "4", "--config");
        Assert.Equal(1, beyond.Exit);
        Assert.Contains("requested vcpus is greater than max allowable vcpus for the persistent domain: 4 > 2", beyond.Err);

        // Saved as a redefine: the config file on disk holds it.
        var config = Directory.GetFiles(Dir.Path, "rs.xml", SearchOption.AllDirectories).Single(f => f != Dir.Combine("rs.xml"));
        var saved = await File.ReadAllTextAsync(config);
        Assert.Contains("<memory unit='KiB'>32768</memory>", saved);
        Assert.Contains("<currentMemory unit='KiB'>8192</currentMemory>", saved);
    }

    [Fact]
    public async Task A_running_domain_changes_its_memory_through_the_balloon_and_refuses_without_one()
    {
        await DefineAsync("bal", balloon: true);
        await DefineAsync("nobal", balloon: false);
        await Virsh.OkAsync("start", "bal");
        await Virsh.OkAsync("start", "nobal");

        Assert.Equal("\n", await Virsh.OkAsync("setmem", "bal", "8M"));
        Assert.Contains("Used memory:    8192 KiB", await Virsh.OkAsync("dominfo", "bal"));
        Assert.Contains("<currentMemory unit='KiB'>8192</currentMemory>", await Virsh.OkAsync("dumpxml", "bal"));
        Assert.Contains("<currentMemory unit='KiB'>16384</currentMemory>", await Virsh.OkAsync("dumpxml", "--inactive", "bal"));
        var reply = await Virsh.OkAsync("qemu-monitor-command", "bal", "{\"execute\":\"query-balloon\"}");
        Assert.Contains("\"actual\"", reply); // QEMU took the target; the test guest has no driver to reach it

        var noBalloon = await Virsh.RunAsync("setmem", "nobal", "8M");
        Assert.NotEqual(0, noBalloon.Exit);
        Assert.Contains("Unable to change memory of active domain without the balloon device being enabled", noBalloon.Err);
        var maxLive = await Virsh.RunAsync("setmaxmem", "bal", "8M", "--live");
        Assert.NotEqual(0, maxLive.Exit);
        Assert.Contains("cannot resize the maximum memory on an active domain", maxLive.Err);
        var vcpus = await Virt("setvcpus", "bal", "1", "--live");
        Assert.Equal(1, vcpus.Exit);
        Assert.Contains("hot-pluggable", vcpus.Err);

        await Virsh.OkAsync("destroy", "bal");
        await Virsh.OkAsync("destroy", "nobal");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
