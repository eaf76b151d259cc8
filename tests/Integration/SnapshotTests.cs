using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>Internal snapshots of the test guest on a qcow2 disk, through `virt` and the real virsh: taken, listed, reverted, deleted.</summary>
public sealed class SnapshotTests : DaemonTestBase
{
    /// <summary>The test guest on a qcow2 copy of its image (internal snapshots live inside qcow2).</summary>
    private async Task DefineQcow2Async(string name)
    {
        var xml = TestGuest.Xml(Dir.Path, name);
        var qcow2 = Dir.Combine(name + ".qcow2");
        using (var convert = Process.Start("qemu-img", ["convert", "-O", "qcow2", Dir.Combine(name + ".img"), qcow2])!)
            await convert.WaitForExitAsync();
        xml = xml.Replace("type='raw'", "type='qcow2'").Replace(Dir.Combine(name + ".img"), qcow2);
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, xml);
        await VirtOkAsync("define", file);
    }

    private static async Task<string> ImageSnapshotsAsync(string image)
    {
        using var list = Process.Start(new ProcessStartInfo("qemu-img", ["snapshot", "-U", "-l", image]) { RedirectStandardOutput = true })!;
        var text = await list.StandardOutput.ReadToEndAsync();
        await list.WaitForExitAsync();
        return text;
    }

    [Fact]
    public async Task A_running_guest_is_snapshotted_and_reverted_with_its_memory()
    {
        await DefineQcow2Async("sn");
        await VirtOkAsync("start", "sn");
        await TestGuest.WaitReadyAsync(Dir.Path, "sn");

        Assert.Equal("Domain snapshot s1 created\n", await VirtOkAsync("snapshot-create-as", "sn", "s1", "--description", "before"));
        Assert.Equal("running (booted)\n\n", await VirtOkAsync("domstate", "--reason", "sn")); // savevm's own pause is not reported
        Assert.Equal("Domain snapshot s2 created\n", await Virsh.OkAsync("snapshot-create-as", "sn", "s2"));
        Assert.Contains("s1", await ImageSnapshotsAsync(Dir.Combine("sn.qcow2")));

        var list = await Virsh.OkAsync("snapshot-list", "sn");
        Assert.Matches(@"^ Name   Creation Time               State\n-+\n s1     \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}   running\n s2     .*running\n\n$", list);
        Assert.Equal(list, await VirtOkAsync("snapshot-list", "sn"));
        Assert.Equal("s1\n  |\n  +- s2\n    \n\n", await VirtOkAsync("snapshot-list", "sn", "--tree"));
        Assert.Equal(await VirtOkAsync("snapshot-list", "sn", "--tree"), await Virsh.OkAsync("snapshot-list", "sn", "--tree"));
        Assert.Equal("s2\n", await Virsh.OkAsync("snapshot-current", "--name", "sn"));
        var xml = await Virsh.OkAsync("snapshot-dumpxml", "sn", "s1");
        Assert.Contains("<description>before</description>", xml);
        Assert.Contains("<state>running</state>", xml);
        Assert.Contains("<name>sn</name>", xml);

        // Reverted to s1 paused: the guest is the one of s1 (no second boot), and s1 is current.
        await Virsh.OkAsync("snapshot-revert", "sn", "s1", "--paused");
        Assert.Equal("paused (from snapshot)\n\n", await Virsh.OkAsync("domstate", "--reason", "sn"));
        Assert.Equal("s1\n", await VirtOkAsync("snapshot-current", "--name", "sn"));
        await Virsh.OkAsync("resume", "sn");
        Assert.Equal(1, File.ReadAllText(TestGuest.SerialPath(Dir.Path, "sn")).Split(TestGuestImage.ReadyLine).Length - 1);

        // From shut off back to a running snapshot: a paused start, then s2's memory; the guest does not boot.
        await VirtOkAsync("destroy", "sn");
        Assert.Equal("Domain snapshot s2 reverted\n\n", await Virsh.OkAsync("snapshot-revert", "sn", "s2"));
        Assert.Equal("running (from snapshot)\n\n", await Virsh.OkAsync("domstate", "--reason", "sn"));
        Assert.DoesNotContain(TestGuestImage.ReadyLine, File.ReadAllText(TestGuest.SerialPath(Dir.Path, "sn")));

        Assert.Equal("Domain snapshot s1 deleted\n\n", await Virsh.OkAsync("snapshot-delete", "sn", "s1"));
        Assert.DoesNotContain(" s1 ", await ImageSnapshotsAsync(Dir.Combine("sn.qcow2")));
        Assert.DoesNotContain("<parent>", await VirtOkAsync("snapshot-dumpxml", "sn", "s2")); // s2 had s1 as parent; now it is a root
        await VirtOkAsync("destroy", "sn");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_shut_off_domain_is_snapshotted_on_its_files_and_bad_requests_get_libvirts_errors()
    {
        await DefineQcow2Async("off");
        Assert.Equal("Domain snapshot cold created\n", await Virsh.OkAsync("snapshot-create-as", "off", "cold"));
        Assert.Contains("cold", await ImageSnapshotsAsync(Dir.Combine("off.qcow2")));
        Assert.Contains("<state>shutoff</state>", await VirtOkAsync("snapshot-dumpxml", "off", "cold"));
        Assert.Equal("Domain snapshot cold reverted\n\n", await Virsh.OkAsync("snapshot-revert", "off", "cold"));
        // From running back to the shut-off snapshot: the domain is destroyed and its disk reverted.
        await VirtOkAsync("start", "off");
        Assert.Equal("Domain snapshot cold reverted\n\n", await Virsh.OkAsync("snapshot-revert", "off", "cold"));
        Assert.StartsWith("shut off", await Virsh.OkAsync("domstate", "off"));

        var again = await Virsh.RunAsync("snapshot-create-as", "off", "cold");
        Assert.NotEqual(0, again.Exit);
        Assert.Contains("domain snapshot 'cold' already exists", again.Err);
        var missing = await Virsh.RunAsync("snapshot-revert", "off", "nosuch");
        Assert.NotEqual(0, missing.Exit);
        Assert.Contains("Domain snapshot not found", missing.Err);
        var undefine = await Virsh.RunAsync("undefine", "off");
        Assert.NotEqual(0, undefine.Exit);
        Assert.Contains("cannot delete inactive domain with 1 snapshots", undefine.Err);

        // A raw disk has nowhere to keep an internal snapshot.
        var file = Dir.Combine("raw.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, "raw"));
        await VirtOkAsync("define", file);
        var raw = await Virsh.RunAsync("snapshot-create-as", "raw", "x");
        Assert.NotEqual(0, raw.Exit);
        Assert.Contains("internal snapshot for disk hda unsupported for storage type raw", raw.Err);
        Assert.Equal("\n", await Virsh.OkAsync("snapshot-list", "raw", "--name"));

        Assert.Equal("Domain 'off' has been undefined\n\n", await Virsh.OkAsync("undefine", "off", "--snapshots-metadata"));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
