using System.Text.RegularExpressions;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// libvirt's statistics verbs on the real daemon and QEMU with the test guest, through `virt` and through the real virsh
/// over libvirt's protocol: the same fields, values QEMU and /proc really report, and libvirt's errors.
/// </summary>
public sealed class StatsTests : DaemonTestBase
{
    private string Uri => $"qemu:///session?socket={Daemon.SocketPath}";

    private Virsh Virsh => new(Daemon.SocketPath);

    private async Task<string> Virt(params string[] args)
    {
        var result = await NativeVirt.RunAsync(["-c", Uri, .. args]);
        Assert.True(result.Exit == 0, $"virt {string.Join(' ', args)} exited {result.Exit}: {result.Err}");
        return result.Out;
    }

    private async Task<string> DefineAsync(string name, bool balloon = false)
    {
        var xml = TestGuest.Xml(Dir.Path, name);
        if (balloon)
            xml = xml.Replace("<memballoon model='none'/>", "<memballoon model='virtio'/>");
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, xml);
        await Virt("define", file);
        return file;
    }

    /// <summary>field=value pairs of one domstats record, in order.</summary>
    private static List<(string Field, string Value)> Fields(string text) =>
        [.. Regex.Matches(text, @"^  ([^=\n]+)=(.*)$", RegexOptions.Multiline).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];

    private static ulong Number(List<(string Field, string Value)> fields, string field) =>
        ulong.Parse(Assert.Single(fields, f => f.Field == field).Value);

    [Fact]
    public async Task Domstats_of_a_running_guest_reports_libvirts_fields_with_real_figures()
    {
        await DefineAsync("st", balloon: true);
        await Virt("start", "st");
        await TestGuest.WaitReadyAsync(Dir.Path, "st");

        var text = await Virt("domstats", "st");
        Assert.StartsWith("Domain: 'st'\n", text);
        var fields = Fields(text);
        Assert.Equal(["state.state", "state.reason", "cpu.time", "cpu.user", "cpu.system", "balloon.current", "balloon.maximum", "balloon.rss",
            "vcpu.current", "vcpu.maximum", "vcpu.0.state", "vcpu.0.time", "vcpu.0.delay", "net.count", "block.count", "block.0.name", "block.0.path",
            "block.0.rd.reqs", "block.0.rd.bytes", "block.0.rd.times", "block.0.wr.reqs", "block.0.wr.bytes", "block.0.wr.times", "block.0.fl.reqs",
            "block.0.fl.times", "block.0.allocation", "block.0.capacity", "block.0.physical"], fields.Select(f => f.Field));
        Assert.Equal(1UL, Number(fields, "state.state")); // running
        Assert.True(Number(fields, "cpu.time") > 0);
        Assert.Equal(16384UL, Number(fields, "balloon.maximum"));
        Assert.Equal(16384UL, Number(fields, "balloon.current")); // query-balloon's actual: the guest has no driver to inflate it
        Assert.True(Number(fields, "balloon.rss") > 1024);
        Assert.Equal("hda", Assert.Single(fields, f => f.Field == "block.0.name").Value);
        Assert.True(Number(fields, "block.0.rd.bytes") >= 512, "the BIOS read the boot sector through the disk");
        Assert.Equal(1024UL * 1024, Number(fields, "block.0.capacity"));

        // The real virsh over libvirt's protocol gets the same record (figures move between the two calls, names do not).
        var virsh = await Virsh.OkAsync("domstats", "st");
        Assert.Equal(fields.Select(f => f.Field), Fields(virsh).Select(f => f.Field));
        Assert.Equal(Number(fields, "block.0.capacity"), Number(Fields(virsh), "block.0.capacity"));
        // Groups narrow it, as libvirt's.
        Assert.Equal(["state.state", "state.reason", "block.count", "block.0.name", "block.0.path", "block.0.rd.reqs"],
            Fields(await Virsh.OkAsync("domstats", "--state", "--block", "st")).Select(f => f.Field).Take(6));

        // The per-device views, from the same figures.
        var blkstat = await Virsh.OkAsync("domblkstat", "st", "hda");
        Assert.Matches(@"^hda rd_req [1-9][0-9]*\nhda rd_bytes [0-9]+\nhda wr_req 0\nhda wr_bytes 0\nhda flush_operations [0-9]+\n", blkstat);
        Assert.StartsWith("hda rd_req ", await Virt("domblkstat", "st", "hda"));
        Assert.Equal("Capacity:       1048576\nAllocation:     0\nPhysical:       1048576\n\n", await Virsh.OkAsync("domblkinfo", "st", "hda"));
        Assert.Equal("Capacity:       1048576\nAllocation:     0\nPhysical:       1048576\n\n", await Virt("domblkinfo", "st", "hda"));
        var memstat = await Virsh.OkAsync("dommemstat", "st");
        Assert.Matches(@"^actual 16384\nrss [0-9]+\n", memstat);
        Assert.Matches(@"^actual 16384\nrss [0-9]+\n$", await Virt("dommemstat", "st"));

        await Virt("destroy", "st");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task Domstats_of_every_domain_includes_shut_off_ones_from_their_config_and_files()
    {
        await DefineAsync("off1");
        await DefineAsync("off2");
        var text = await Virt("domstats");
        Assert.Contains("Domain: 'off1'\n", text);
        Assert.Contains("\n\nDomain: 'off2'\n", text);
        var off1 = Fields(text.Split("\n\n")[0]);
        Assert.Equal(5UL, Number(off1, "state.state")); // shut off
        Assert.Equal(16384UL, Number(off1, "balloon.current"));
        Assert.Equal(1024UL * 1024, Number(off1, "block.0.capacity"));
        Assert.DoesNotContain(off1, f => f.Field.StartsWith("cpu.", StringComparison.Ordinal));

        var virsh = await Virsh.OkAsync("domstats", "--list-inactive", "--state");
        Assert.Equal("Domain: 'off1'\n  state.state=5\n  state.reason=0\n\nDomain: 'off2'\n  state.state=5\n  state.reason=0\n\n", virsh);
        Assert.Equal("\n", await Virsh.OkAsync("domstats", "--list-active"));
    }

    [Fact]
    public async Task Stats_of_what_a_domain_does_not_have_get_libvirts_errors()
    {
        await DefineAsync("bad");
        var notRunning = await Virsh.RunAsync("dommemstat", "bad");
        Assert.NotEqual(0, notRunning.Exit);
        Assert.Contains("error: Requested operation is not valid: domain 'bad' is not running", notRunning.Err);

        await Virt("start", "bad");
        var noDisk = await Virsh.RunAsync("domblkstat", "bad", "vdz");
        Assert.NotEqual(0, noDisk.Exit);
        Assert.Contains("invalid argument: invalid path: vdz", noDisk.Err);
        var noNic = await Virsh.RunAsync("domifstat", "bad", "vnet9");
        Assert.NotEqual(0, noNic.Exit);
        Assert.Contains("invalid argument: 'vnet9' is not a known interface", noNic.Err);
        var virtNoDisk = await NativeVirt.RunAsync(["-c", Uri, "domblkinfo", "bad", "vdz"]);
        Assert.Equal(1, virtNoDisk.Exit);
        Assert.Contains("invalid path: vdz", virtNoDisk.Err);
        var noDomain = await Virsh.RunAsync("domstats", "nosuch");
        Assert.NotEqual(0, noDomain.Exit);
        Assert.Contains("failed to get domain 'nosuch'", noDomain.Err);

        await Virt("destroy", "bad");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
