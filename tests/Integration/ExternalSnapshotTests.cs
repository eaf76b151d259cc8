using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>External disk-only snapshots of the test guest's raw disk, running and shut off, through `virt` and the real virsh.</summary>
public sealed class ExternalSnapshotTests : DaemonTestBase
{
    private static async Task AssertOverlayAsync(string overlay, string backing, string backingFormat)
    {
        var info = await DiskImages.InfoAsync(overlay);
        Assert.Equal("qcow2", info.GetProperty("format").GetString());
        Assert.Equal(backing, info.GetProperty("backing-filename").GetString());
        Assert.Equal(backingFormat, info.GetProperty("backing-filename-format").GetString());
        Assert.Equal(1024 * 1024, info.GetProperty("virtual-size").GetInt64());
    }

    private Task<(string File, string? Backing)> ActiveImageAsync(string name) => DiskImages.ActiveImageAsync(Virsh, name);

    private Task AssertRefusedAsync(string message, params string[] virshArgs) => DiskImages.AssertRefusedAsync(Virsh, message, virshArgs);

    [Fact]
    public async Task A_running_guest_goes_onto_overlays_and_keeps_them_across_a_daemon_restart()
    {
        await DefineTestGuestAsync("ext");
        await VirtOkAsync("start", "ext");
        await TestGuest.WaitReadyAsync(Dir.Path, "ext");
        var image = Dir.Combine("ext.img");
        var first = Dir.Combine("ext.d1");

        Assert.Equal("Domain snapshot d1 created\n", await VirtOkAsync("snapshot-create-as", "ext", "d1", "--disk-only", "--atomic"));
        await AssertOverlayAsync(first, image, "raw");
        Assert.Equal((first, image), await ActiveImageAsync("ext"));
        Assert.StartsWith("running", await VirtOkAsync("domstate", "ext"));
        var live = await Virsh.OkAsync("dumpxml", "ext");
        Assert.Contains($"<driver name='qemu' type='qcow2'/>\n      <source file='{first}'/>\n      <backingStore type='file'>\n        <format type='raw'/>\n        <source file='{image}'/>\n        <backingStore/>\n      </backingStore>", live);
        Assert.Contains($"<source file='{first}'/>", await Virsh.OkAsync("dumpxml", "--inactive", "ext"));

        var snapshot = await Virsh.OkAsync("snapshot-dumpxml", "ext", "d1");
        Assert.Contains("<state>disk-snapshot</state>", snapshot);
        Assert.Contains("<memory snapshot=\"no\" />", snapshot);
        Assert.Contains($"<disk name=\"hda\" snapshot=\"external\" type=\"file\">\n      <driver type=\"qcow2\" />\n      <source file=\"{first}\" />", snapshot);
        Assert.Contains($"<source file=\"{image}\" />", snapshot); // the domain as it was

        // Through virsh: the file named by a diskspec, on top of the first overlay.
        var second = Dir.Combine("ext-d2.qcow2");
        Assert.Equal("Domain snapshot d2 created\n", await Virsh.OkAsync("snapshot-create-as", "ext", "d2", "--disk-only", "--diskspec", $"hda,snapshot=external,file={second}"));
        await AssertOverlayAsync(second, first, "qcow2");
        Assert.Equal((second, first), await ActiveImageAsync("ext"));

        var list = await Virsh.OkAsync("snapshot-list", "ext");
        Assert.Matches(@"^ Name   Creation Time               State\n-+\n d1     \S+ \S+ \S+   disk-snapshot\n d2     .*disk-snapshot\n\n$", list);
        Assert.Equal(list, await VirtOkAsync("snapshot-list", "ext"));
        Assert.Equal("d1\n  |\n  +- d2\n    \n\n", await Virsh.OkAsync("snapshot-list", "ext", "--tree"));
        Assert.Equal("d2\n\n", await Virsh.OkAsync("snapshot-list", "ext", "--leaves", "--external", "--name"));
        Assert.Equal("\n", await Virsh.OkAsync("snapshot-list", "ext", "--internal", "--name"));
        var info = await Virsh.OkAsync("snapshot-info", "ext", "d1");
        Assert.Contains("State:          disk-snapshot\nLocation:       external\nParent:         -\nChildren:       1\nDescendants:    1\n", info);
        Assert.Equal(info, await VirtOkAsync("snapshot-info", "ext", "d1"));
        Assert.Equal("d2\n", await Virsh.OkAsync("snapshot-current", "--name", "ext"));

        // libvirt's refusals: an overlay that exists, a disk the domain lacks, a path of the daemon's own, a revert.
        await AssertRefusedAsync($"external snapshot file for disk hda already exists and is not a block device: {image}",
            "snapshot-create-as", "ext", "d3", "--disk-only", "--diskspec", $"hda,file={image}");
        await AssertRefusedAsync("no disk named 'vdz'", "snapshot-create-as", "ext", "d3", "--disk-only", "--diskspec", "vdz,snapshot=external");
        await AssertRefusedAsync("inside the daemon's own directories", "snapshot-create-as", "ext", "d3", "--disk-only", "--diskspec", $"hda,file={Dir.Combine("root", "run", "d3.qcow2")}");
        Assert.False(File.Exists(Dir.Combine("root", "run", "d3.qcow2")));
        await AssertRefusedAsync("unsupported configuration: revert to external snapshot not supported yet", "snapshot-revert", "ext", "d1");
        Assert.Equal((second, first), await ActiveImageAsync("ext"));

        // --metadata drops only the metadata: the overlay stays in use.
        Assert.Equal("Domain snapshot d2 deleted\n\n", await Virsh.OkAsync("snapshot-delete", "ext", "d2", "--metadata"));
        Assert.True(File.Exists(second));
        Assert.Equal("d1\n\n", await Virsh.OkAsync("snapshot-list", "ext", "--name"));

        await VirtOkAsync("destroy", "ext");
        await RestartDaemonAsync(hard: false);
        Assert.Equal("d1\n\n", await Virsh.OkAsync("snapshot-list", "ext", "--name"));
        Assert.Contains("<state>disk-snapshot</state>", await VirtOkAsync("snapshot-dumpxml", "ext", "d1"));
        Assert.Contains($"<source file='{second}'/>", await VirtOkAsync("dumpxml", "ext"));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_shut_off_domain_gets_its_overlays_from_qemu_img_and_boots_from_them()
    {
        await DefineTestGuestAsync("cold");
        var image = Dir.Combine("cold.img");
        var first = Dir.Combine("cold.c1");
        Assert.Equal("Domain snapshot c1 created\n", await VirtOkAsync("snapshot-create-as", "cold", "c1", "--disk-only"));
        await AssertOverlayAsync(first, image, "raw");
        var config = await Virsh.OkAsync("dumpxml", "cold");
        Assert.Contains($"<driver name='qemu' type='qcow2'/>\n      <source file='{first}'/>\n      <target dev='hda' bus='ide'/>", config);
        Assert.Contains("<state>shutoff</state>", await VirtOkAsync("snapshot-dumpxml", "cold", "c1"));
        Assert.Contains("State:          shutoff\nLocation:       external\n", await Virsh.OkAsync("snapshot-info", "--current", "cold"));

        // snapshot-create from a file: libvirt wants --disk-only for external disks.
        var second = Dir.Combine("c2.qcow2");
        var file = Dir.Combine("c2.xml");
        await File.WriteAllTextAsync(file, $"<domainsnapshot><name>c2</name><disks><disk name='hda' snapshot='external'><source file='{second}'/></disk></disks></domainsnapshot>");
        await AssertRefusedAsync("disk 'hda' must use snapshot mode 'internal'", "snapshot-create", "cold", file);
        Assert.Equal($"Domain snapshot c2 created from '{file}'\n", await Virsh.OkAsync("snapshot-create", "cold", file, "--disk-only"));
        await AssertOverlayAsync(second, first, "qcow2");

        await AssertRefusedAsync($"missing existing file for disk hda: {Dir.Combine("nosuch.qcow2")}",
            "snapshot-create-as", "cold", "c3", "--disk-only", "--reuse-external", "--diskspec", $"hda,file={Dir.Combine("nosuch.qcow2")}");
        Assert.Equal("Domain snapshot nm created\n", await VirtOkAsync("snapshot-create-as", "cold", "nm", "--disk-only", "--no-metadata"));
        await AssertOverlayAsync(Dir.Combine("c2.nm"), second, "qcow2");
        Assert.Equal("c1\nc2\n\n", await VirtOkAsync("snapshot-list", "cold", "--name"));

        // QEMU opens the whole chain from the overlays' headers: the guest boots, writing to the newest.
        await VirtOkAsync("start", "cold");
        await TestGuest.WaitReadyAsync(Dir.Path, "cold");
        Assert.Equal((Dir.Combine("c2.nm"), second), await ActiveImageAsync("cold"));
        await VirtOkAsync("destroy", "cold");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
