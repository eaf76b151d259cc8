using System.Text.Json;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>change-media and update-device on a cdrom, through the real virsh and `virt`, live through QMP and in the config.</summary>
public sealed class ChangeMediaTests : DaemonTestBase
{
    private const string Cdrom = "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><target dev='hdc' bus='ide'/><readonly/></disk>";

    private async Task StartAsync(string name)
    {
        var xml = TestGuest.Xml(Dir.Path, name).Replace("<serial type='file'>", Cdrom + "\n<serial type='file'>");
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, xml);
        await Virsh.OkAsync("define", file);
        await Virsh.OkAsync("start", name);
    }

    /// <summary>What QEMU itself has in the cdrom drive (ide0-1-0): the inserted image's file, or null.</summary>
    private async Task<string?> InsertedAsync(string name)
    {
        var reply = await Virsh.OkAsync("qemu-monitor-command", name, "{\"execute\":\"query-block\"}");
        using var json = JsonDocument.Parse(reply);
        var drive = json.RootElement.GetProperty("return").EnumerateArray().Single(d => d.GetProperty("qdev").GetString() == "ide0-1-0");
        return drive.TryGetProperty("inserted", out var inserted) ? inserted.GetProperty("file").GetString() : null;
    }

    [Fact]
    public async Task A_cdrom_medium_is_inserted_and_ejected_live_and_changed_in_the_config()
    {
        await StartAsync("cd");
        var iso = Dir.Combine("one.iso");
        var other = Dir.Combine("two.iso");
        await File.WriteAllBytesAsync(iso, new byte[64 * 1024]);
        await File.WriteAllBytesAsync(other, new byte[64 * 1024]);
        Assert.Null(await InsertedAsync("cd"));

        Assert.Equal("Successfully inserted media.\n", await Virsh.OkAsync("change-media", "cd", "hdc", iso, "--insert"));
        Assert.Equal(iso, await InsertedAsync("cd"));
        Assert.Contains($"<source file='{iso}'/>", await Virsh.OkAsync("dumpxml", "cd"));
        Assert.DoesNotContain(iso, await Virsh.OkAsync("dumpxml", "--inactive", "cd")); // live only: virsh's default is current

        var eject = await VirtAsync("change-media", "cd", "hdc", "--eject");
        Assert.True(eject.Exit == 0, eject.Err);
        Assert.Equal("Successfully ejected media.\n", eject.Out);
        Assert.Null(await InsertedAsync("cd"));
        Assert.DoesNotContain(iso, await Virsh.OkAsync("dumpxml", "cd"));

        Assert.Equal("Successfully updated media.\n", await Virsh.OkAsync("change-media", "cd", "hdc", other, "--config"));
        Assert.Contains($"<source file='{other}'/>", await Virsh.OkAsync("dumpxml", "--inactive", "cd"));
        Assert.Null(await InsertedAsync("cd"));

        await Virsh.OkAsync("destroy", "cd");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task What_is_no_removable_medium_is_refused_with_virshs_errors()
    {
        await StartAsync("bad");
        var iso = Dir.Combine("x.iso");
        await File.WriteAllBytesAsync(iso, new byte[4096]);
        var disk = await Virsh.RunAsync("change-media", "bad", "hda", iso);
        Assert.NotEqual(0, disk.Exit);
        Assert.Contains("No disk found whose source path or target is hda", disk.Err); // virsh looks among cdroms and floppies only
        var none = await Virsh.RunAsync("change-media", "bad", "hdz", iso);
        Assert.NotEqual(0, none.Exit);
        Assert.Contains("No disk found whose source path or target is hdz", none.Err);
        var virtDisk = await VirtAsync("change-media", "bad", "hda", iso);
        Assert.Equal(1, virtDisk.Exit);
        Assert.Contains("No disk found whose source path or target is hda", virtDisk.Err);
        var empty = await VirtAsync("change-media", "bad", "hdc", "--eject");
        Assert.Equal(1, empty.Exit);
        Assert.Contains("The disk device 'hdc' doesn't have media", empty.Err);

        var controller = Dir.Combine("controller.xml");
        await File.WriteAllTextAsync(controller, "<controller type='usb' index='1'/>");
        var update = await Virsh.RunAsync("update-device", "bad", controller);
        Assert.NotEqual(0, update.Exit);
        Assert.Contains("the device <controller> cannot be attached, detached or updated; disks and interfaces can", update.Err);

        // A medium inside the daemon's own tree would let the guest read its configs.
        var config = Directory.GetFiles(Daemon.Root, "bad.xml", SearchOption.AllDirectories).First();
        var inside = await Virsh.RunAsync("change-media", "bad", "hdc", config, "--insert");
        Assert.NotEqual(0, inside.Exit);
        Assert.Contains("inside the daemon's own directories", inside.Err);
        Assert.Null(await InsertedAsync("bad"));

        await Virsh.OkAsync("destroy", "bad");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
