using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// Deleting external disk-only snapshots as libvirt 9.0 does: the snapshot's overlay committed into the image under it and
/// removed, running (QEMU's block commit) and shut off (qemu-img), through the real virsh and `virt`.
/// </summary>
public sealed class ExternalSnapshotDeleteTests : DaemonTestBase
{
    private Task<(string File, string? Backing)> ActiveImageAsync(string name) => DiskImages.ActiveImageAsync(Virsh, name);

    private static async Task WriteAsync(string image, string format, string command)
    {
        var written = await DiskImages.QemuIoAsync(image, format, command);
        Assert.True(written.Exit == 0 && !written.Out.Contains("Pattern verification failed", StringComparison.Ordinal), written.ToString());
    }

    [Fact]
    public async Task A_running_guest_pivots_off_its_top_overlay_and_the_data_reach_the_base()
    {
        // The overlay is made shut off, so the test can write into it (data the guest, which never writes, sees from then on).
        await DefineTestGuestAsync("act");
        var image = Dir.Combine("act.img");
        var overlay = Dir.Combine("act.s1");
        await VirtOkAsync("snapshot-create-as", "act", "s1", "--disk-only");
        await WriteAsync(overlay, "qcow2", "write -P 0xab 512k 64k");
        await VirtOkAsync("start", "act");
        await TestGuest.WaitReadyAsync(Dir.Path, "act");
        Assert.Equal((overlay, image), await ActiveImageAsync("act"));

        Assert.Equal("Domain snapshot s1 deleted\n\n", await Virsh.OkAsync("snapshot-delete", "act", "s1"));
        Assert.Equal((image, null), await ActiveImageAsync("act"));
        Assert.False(File.Exists(overlay));
        Assert.StartsWith("running", await VirtOkAsync("domstate", "act"));
        var live = await Virsh.OkAsync("dumpxml", "act");
        Assert.Contains($"<driver name='qemu' type='raw'/>\n      <source file='{image}'/>\n      <target dev='hda' bus='ide'/>", live);
        Assert.DoesNotContain("act.s1", live);
        Assert.DoesNotContain("act.s1", await Virsh.OkAsync("dumpxml", "--inactive", "act"));
        Assert.Equal("\n", await Virsh.OkAsync("snapshot-list", "act", "--name"));
        // QEMU let go of the overlay's nodes too.
        Assert.DoesNotContain("act.s1", await Virsh.OkAsync("qemu-monitor-command", "act", "{\"execute\":\"query-named-block-nodes\"}"));

        await VirtOkAsync("destroy", "act");
        await WriteAsync(image, "raw", "read -P 0xab 512k 64k");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task Two_snapshots_of_a_running_guest_go_older_first_then_newer_and_stay_gone_after_a_restart()
    {
        await StartTestGuestAsync("two");
        var image = Dir.Combine("two.img");
        var (a1, a2) = (Dir.Combine("two.a1"), Dir.Combine("two.a2"));
        await VirtOkAsync("snapshot-create-as", "two", "a1", "--disk-only");
        await Virsh.OkAsync("snapshot-create-as", "two", "a2", "--disk-only");
        Assert.Equal([a2, a1, image], await DiskImages.ChainAsync(a2));

        // libvirt's refusals, before anything is touched.
        await DiskImages.AssertRefusedAsync(Virsh, "deletion of external children disk snapshots not supported", "snapshot-delete", "two", "a1", "--children");
        await DiskImages.AssertRefusedAsync(Virsh, "deletion of external children disk snapshots not supported", "snapshot-delete", "two", "a1", "--children-only");
        await DiskImages.AssertRefusedAsync(Virsh, "deletion of external disk snapshots with children not supported", "snapshot-delete", "two", "a2", "--children");
        Assert.Equal([a2, a1, image], await DiskImages.ChainAsync(a2));

        // The older one: an intermediate commit; the newer overlay now sits on the base, and a2 no longer has a parent.
        Assert.Equal("Domain snapshot a1 deleted\n\n", await VirtOkAsync("snapshot-delete", "two", "a1"));
        Assert.False(File.Exists(a1));
        Assert.Equal((a2, image), await ActiveImageAsync("two"));
        Assert.Equal([a2, image], await DiskImages.ChainAsync(a2));
        // QEMU before 8.0 records the raw base by its protocol driver (the project opens raw images without a format node).
        Assert.Contains((await DiskImages.InfoAsync(a2)).GetProperty("backing-filename-format").GetString(), new[] { "raw", "file" });
        Assert.Contains($"<source file='{a2}'/>\n      <backingStore type='file'>\n        <format type='raw'/>\n        <source file='{image}'/>\n        <backingStore/>\n      </backingStore>",
            await Virsh.OkAsync("dumpxml", "two"));
        Assert.Contains("Parent:         -\n", await Virsh.OkAsync("snapshot-info", "two", "a2"));
        var a2Xml = await Virsh.OkAsync("snapshot-dumpxml", "two", "a2");
        Assert.Contains($"<source file=\"{image}\" />", a2Xml); // the domain a2 was taken of, as libvirt rewrites it
        Assert.DoesNotContain("two.a1", a2Xml);
        Assert.DoesNotContain("snapshotDeleteInProgress", a2Xml);

        // The newer one: the active commit and pivot.
        Assert.Equal("Domain snapshot a2 deleted\n\n", await Virsh.OkAsync("snapshot-delete", "two", "a2"));
        Assert.False(File.Exists(a2));
        Assert.Equal((image, null), await ActiveImageAsync("two"));
        Assert.StartsWith("running", await VirtOkAsync("domstate", "two"));

        await RestartDaemonAsync(hard: false);
        Assert.StartsWith("running", await VirtOkAsync("domstate", "two"));
        Assert.Equal("\n", await Virsh.OkAsync("snapshot-list", "two", "--name"));
        Assert.Contains($"<source file='{image}'/>\n      <backingStore/>\n      <target dev='hda' bus='ide'/>", await Virsh.OkAsync("dumpxml", "two"));
        Assert.Contains($"<source file='{image}'/>\n      <target dev='hda' bus='ide'/>", await Virsh.OkAsync("dumpxml", "--inactive", "two"));
        Assert.Equal((image, null), await ActiveImageAsync("two"));
        await VirtOkAsync("destroy", "two");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_shut_off_domain_commits_with_qemu_img_and_refuses_an_overlay_it_no_longer_uses()
    {
        await DefineTestGuestAsync("cold");
        var image = Dir.Combine("cold.img");
        var (c1, c2) = (Dir.Combine("cold.c1"), Dir.Combine("cold.c2"));
        await VirtOkAsync("snapshot-create-as", "cold", "c1", "--disk-only");
        await WriteAsync(c1, "qcow2", "write -P 0xab 512k 64k");
        await VirtOkAsync("snapshot-create-as", "cold", "c2", "--disk-only");
        await WriteAsync(c2, "qcow2", "write -P 0xcd 768k 64k");

        // c1 from the middle of the chain: its data into the base, c2 pointed at the base.
        Assert.Equal("Domain snapshot c1 deleted\n\n", await Virsh.OkAsync("snapshot-delete", "cold", "c1"));
        Assert.False(File.Exists(c1));
        Assert.Equal([c2, image], await DiskImages.ChainAsync(c2));
        Assert.Equal("raw", (await DiskImages.InfoAsync(c2)).GetProperty("backing-filename-format").GetString());
        await WriteAsync(image, "raw", "read -P 0xab 512k 64k");
        await WriteAsync(c2, "qcow2", "read -P 0xcd 768k 64k");
        Assert.Contains($"<source file='{c2}'/>", await Virsh.OkAsync("dumpxml", "cold"));

        Assert.Equal("Domain snapshot c2 deleted\n\n", await VirtOkAsync("snapshot-delete", "cold", "c2"));
        Assert.False(File.Exists(c2));
        await WriteAsync(image, "raw", "read -P 0xcd 768k 64k");
        Assert.Contains($"<driver name='qemu' type='raw'/>\n      <source file='{image}'/>", await Virsh.OkAsync("dumpxml", "cold"));

        // An overlay the disk no longer uses (the domain redefined onto its base) is not committed.
        await VirtOkAsync("snapshot-create-as", "cold", "c3", "--disk-only");
        var onBase = Dir.Combine("cold-base.xml");
        await File.WriteAllTextAsync(onBase, (await Virsh.OkAsync("dumpxml", "cold"))
            .Replace($"<source file='{Dir.Combine("cold.c3")}'/>", $"<source file='{image}'/>", StringComparison.Ordinal)
            .Replace("type='qcow2'", "type='raw'", StringComparison.Ordinal));
        await VirtOkAsync("define", onBase);
        await DiskImages.AssertRefusedAsync(Virsh, "could not find base disk source in disk source chain", "snapshot-delete", "cold", "c3");
        Assert.True(File.Exists(Dir.Combine("cold.c3")));
        Assert.DoesNotContain("snapshotDeleteInProgress", await Virsh.OkAsync("snapshot-dumpxml", "cold", "c3"));

        await RestartDaemonAsync(hard: false);
        Assert.Equal("c3\n\n", await Virsh.OkAsync("snapshot-list", "cold", "--name"));
        Assert.Contains($"<source file='{image}'/>", await Virsh.OkAsync("dumpxml", "cold"));
        // The guest still boots from its base.
        await VirtOkAsync("start", "cold");
        await TestGuest.WaitReadyAsync(Dir.Path, "cold");
        await VirtOkAsync("destroy", "cold");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
