using Virt.Integration.Tests.Support;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// save, restore and managedsave on the real daemon and QEMU through the real virsh and `virt`: the guest's state goes
/// to a file and comes back without a reboot; libvirt's states, messages and refusals.
/// </summary>
public sealed class SaveRestoreTests : DaemonTestBase
{
    private static bool Rebooted(string dir, string name) => File.ReadAllText(TestGuest.SerialPath(dir, name)).Contains(TestGuestImage.ReadyLine);

    [Fact]
    public async Task A_saved_guest_comes_back_from_its_file_where_it_was()
    {
        await StartTestGuestAsync("sv");
        var image = Dir.Combine("sv.save");
        Assert.Equal($"\nDomain 'sv' saved to {image}\n\n", await Virsh.OkAsync("save", "sv", image));
        Assert.Equal("shut off (saved)\n\n", await Virsh.OkAsync("domstate", "--reason", "sv"));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
        Assert.True(new FileInfo(image).Length > 4096, "the image holds the guest's memory");

        Assert.Equal($"Domain restored from {image}\n\n", await Virsh.OkAsync("restore", image));
        Assert.Equal("running (restored)\n\n", await Virsh.OkAsync("domstate", "--reason", "sv"));
        // Restored, not booted: the guest prints its ready line once, at boot, and the serial file is new since the restore.
        Assert.False(Rebooted(Dir.Path, "sv"), "the restored guest booted again");
        // ... and it is the guest that armed its power button before the save: it powers off when asked.
        await Virsh.OkAsync("shutdown", "sv");
        await WaitForAsync(async () => (await Virsh.OkAsync("domstate", "sv")).StartsWith("shut off"));
        Assert.Equal("shut off (shutdown)\n\n", await Virsh.OkAsync("domstate", "--reason", "sv"));

        // A paused restore stays paused.
        await Virsh.OkAsync("start", "sv");
        await TestGuest.WaitReadyAsync(Dir.Path, "sv");
        Assert.Equal(0, (await VirtAsync("save", "sv", image)).Exit);
        Assert.Equal(0, (await VirtAsync("restore", image, "--paused")).Exit);
        Assert.Equal("paused (user)\n\n", await Virsh.OkAsync("domstate", "--reason", "sv"));
        await Virsh.OkAsync("destroy", "sv");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_managed_save_is_restored_by_the_next_start_and_then_spent()
    {
        await StartTestGuestAsync("ms");
        Assert.Equal("\nDomain 'ms' state saved by libvirt\n\n", await Virsh.OkAsync("managedsave", "ms"));
        Assert.Contains("Managed save:   yes", await Virsh.OkAsync("dominfo", "ms"));
        Assert.Contains("Managed save:   yes", (await VirtAsync("dominfo", "ms")).Out);
        var undefine = await Virsh.RunAsync("undefine", "ms");
        Assert.NotEqual(0, undefine.Exit);
        Assert.Contains("Refusing to undefine while domain managed save image exists", undefine.Err);

        Assert.Equal("Domain 'ms' started\n\n", await Virsh.OkAsync("start", "ms"));
        Assert.Equal("running (restored)\n\n", await Virsh.OkAsync("domstate", "--reason", "ms"));
        Assert.False(Rebooted(Dir.Path, "ms"), "the start booted instead of restoring");
        Assert.Contains("Managed save:   no", await Virsh.OkAsync("dominfo", "ms"));

        // managedsave-remove makes the next start boot.
        await Virsh.OkAsync("managedsave", "ms");
        Assert.Equal("Removed managedsave image for domain 'ms'\n", (await VirtAsync("managedsave-remove", "ms")).Out);
        await Virsh.OkAsync("start", "ms");
        Assert.Equal("running (booted)\n\n", await Virsh.OkAsync("domstate", "--reason", "ms"));
        await TestGuest.WaitReadyAsync(Dir.Path, "ms");
        await Virsh.OkAsync("destroy", "ms");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task What_is_no_save_image_or_cannot_be_saved_is_refused_and_nothing_starts()
    {
        var notImage = Dir.Combine("not.save");
        await File.WriteAllTextAsync(notImage, "this is not a save image, whatever its name says\n");
        var restore = await Virsh.RunAsync("restore", notImage);
        Assert.NotEqual(0, restore.Exit);
        Assert.Contains("image magic is incorrect", restore.Err);
        Assert.Equal(" Id   Name   State\n--------------------\n\n", await Virsh.OkAsync("list", "--all"));

        var file = Dir.Combine("off.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, "off"));
        await Virsh.OkAsync("define", file);
        var save = await Virsh.RunAsync("save", "off", Dir.Combine("off.save"));
        Assert.NotEqual(0, save.Exit);
        Assert.Contains("is not running", save.Err);
        Assert.False(File.Exists(Dir.Combine("off.save")));
        var relative = await Virsh.RunAsync("restore", "relative.save");
        Assert.NotEqual(0, relative.Exit);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
