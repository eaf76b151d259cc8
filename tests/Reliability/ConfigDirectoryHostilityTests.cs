using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Reliability.Tests;

/// <summary>
/// Nothing a careless operator leaves in the config directory can stop or bloat the real virtd: FIFOs, device links,
/// directories, dangling links and oversized files are skipped and named, and every other domain loads.
/// </summary>
public sealed class ConfigDirectoryHostilityTests : IDisposable
{
    private readonly TempDirectory _dir = new("vc");

    private string ConfigDir => _dir.Combine("root", "etc", "qemu");

    private static string Domain(string name) =>
        $"<domain type='qemu'><name>{name}</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os></domain>";

    [Fact]
    public async Task Odd_files_are_skipped_by_name_and_the_daemon_serves_every_good_domain()
    {
        Directory.CreateDirectory(ConfigDir);
        File.SetUnixFileMode(ConfigDir, (UnixFileMode)0b111_000_000);
        await File.WriteAllTextAsync(Path.Combine(ConfigDir, "good.xml"), Domain("good"));
        Assert.Equal(0, Fifo.Make(Path.Combine(ConfigDir, "fifo.xml")));
        File.CreateSymbolicLink(Path.Combine(ConfigDir, "zero.xml"), "/dev/zero");
        File.CreateSymbolicLink(Path.Combine(ConfigDir, "dangling.xml"), Path.Combine(ConfigDir, "nowhere"));
        Directory.CreateDirectory(Path.Combine(ConfigDir, "dir.xml"));
        await File.WriteAllTextAsync(Path.Combine(ConfigDir, "huge.xml"), new string(' ', 2 * 1024 * 1024) + Domain("huge"));

        await using var daemon = await DaemonProcess.StartAsync(_dir.Combine("root"));
        var list = await NativeVirt.RunAsync(["-c", $"qemu:///session?socket={daemon.SocketPath}", "list", "--all", "--name"]);

        Assert.Equal(0, list.Exit);
        Assert.Equal("good", list.Out.Trim());
        Assert.Contains("fifo.xml", daemon.Output);
        Assert.Contains("not a regular file (fifo)", daemon.Output);
        Assert.Contains("zero.xml", daemon.Output);
        Assert.Contains("not a regular file (character device)", daemon.Output);
        Assert.Contains("dangling.xml", daemon.Output);
        Assert.Contains("huge.xml", daemon.Output);
        Assert.Contains("larger than the limit", daemon.Output);
        Assert.True(ProcessMemory.RssKiB(daemon.Pid) < 512 * 1024, "the daemon read a device until it was large");
        // Nothing of the operator's was touched.
        Assert.True(File.Exists(Path.Combine(ConfigDir, "fifo.xml")));
        Assert.True(Directory.Exists(Path.Combine(ConfigDir, "dir.xml")));
    }

    [Fact]
    public async Task A_define_stored_larger_than_the_limit_is_refused_and_one_just_under_loads_after_a_restart()
    {
        // 300,000 '>' are stored as 1.2 MB of "&gt;": refused. 200,000 are stored as 0.8 MB: kept, and loaded again.
        var tooBig = _dir.Combine("toobig.xml");
        await File.WriteAllTextAsync(tooBig, Domain("toobig").Replace("</name>", $"</name><description>{new string('>', 300_000)}</description>"));
        var fits = _dir.Combine("fits.xml");
        await File.WriteAllTextAsync(fits, Domain("fits").Replace("</name>", $"</name><description>{new string('>', 200_000)}</description>"));

        await using (var daemon = await DaemonProcess.StartAsync(_dir.Combine("root")))
        {
            var uri = $"qemu:///session?socket={daemon.SocketPath}";
            var refused = await NativeVirt.RunAsync(["-c", uri, "define", tooBig]);
            Assert.Equal(1, refused.Exit);
            Assert.Contains("would be stored as", refused.Err);
            Assert.Equal(0, (await NativeVirt.RunAsync(["-c", uri, "define", fits])).Exit);
        }
        await using var restarted = await DaemonProcess.StartAsync(_dir.Combine("root"));
        var list = await NativeVirt.RunAsync(["-c", $"qemu:///session?socket={restarted.SocketPath}", "list", "--all", "--name"]);
        Assert.Equal("fits", list.Out.Trim());
        var xml = await NativeVirt.RunAsync(["-c", $"qemu:///session?socket={restarted.SocketPath}", "dumpxml", "fits"]);
        Assert.Contains(new string('>', 1000).Replace(">", "&gt;"), xml.Out);
    }

    [Fact]
    public async Task A_define_of_a_huge_file_is_refused_by_its_size_before_the_client_reads_it()
    {
        var huge = _dir.Combine("huge.xml");
        await using (var file = File.Create(huge))
            file.SetLength(50L * 1024 * 1024);
        // No daemon is needed to refuse it: the client never reads the file, so it never gets to connect.
        var result = await NativeVirt.RunAsync(["-c", $"qemu:///session?socket={_dir.Combine("none")}", "define", huge]);
        Assert.Equal(1, result.Exit);
        Assert.Contains("52428800 bytes", result.Err);
        Assert.Contains("at most 1048576 bytes", result.Err);
    }

    public void Dispose() => _dir.Dispose();
}
