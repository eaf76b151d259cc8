using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// The native virt resolves a domain argument as virsh does (id, then UUID, then name), and the daemon refuses
/// domains that name paths they may not use.
/// </summary>
public sealed class DomainArgumentTests : DaemonTestBase
{
    private string Uri => $"qemu:///session?socket={Daemon.SocketPath}";

    private Task<NativeVirt.Result> Virt(params string[] args) => NativeVirt.RunAsync(["-c", Uri, .. args]);

    private async Task<string> DefineAsync(string name, string? xml = null)
    {
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, xml ?? TestGuest.Xml(Dir.Path, name));
        var result = await Virt("define", file);
        Assert.True(result.Exit == 0, result.Err);
        return file;
    }

    [Fact]
    public async Task A_numeric_name_is_found_when_no_running_domain_has_that_id_and_start_takes_it_by_name()
    {
        await DefineAsync("123");
        Assert.Equal("shut off\n\n", (await Virt("domstate", "123")).Out);
        Assert.Contains("Name:           123", (await Virt("dominfo", "123")).Out);

        // A running domain with id 1, and a shut-off domain named "1": the id wins for lookups, as in virsh...
        await DefineAsync("first");
        await DefineAsync("1");
        Assert.Equal(0, (await Virt("start", "first")).Exit);
        Assert.Equal("first\n\n", (await Virt("domname", "1")).Out);
        // ...and start, which only an inactive domain can take, looks up names and UUIDs only.
        var start = await Virt("start", "1");
        Assert.True(start.Exit == 0, start.Err);
        Assert.Equal("Domain '1' started\n\n", start.Out);
        Assert.Equal("running\n\n", (await Virt("domstate", "first")).Out);

        var missing = await Virt("dominfo", "4711");
        Assert.Equal(1, missing.Exit);
        Assert.Contains("no domain with matching id or name '4711'", missing.Err);
    }

    [Theory]
    [InlineData("relative.img", "is relative; paths in a domain must be absolute")]
    [InlineData("TREE/etc/qemu/other.xml", "is inside the daemon's own directories")]
    [InlineData("TREE/run/qemu/x.status", "is inside the daemon's own directories")]
    [InlineData("TREE/log/qemu/../qemu/other.log", "is inside the daemon's own directories")]
    public async Task A_domain_naming_a_relative_path_or_one_in_the_daemons_tree_is_refused(string source, string reason)
    {
        var path = source.Replace("TREE", Dir.Combine("root"), StringComparison.Ordinal);
        var xml = TestGuest.Xml(Dir.Path, "pathy").Replace(Dir.Combine("pathy.img"), path, StringComparison.Ordinal);
        var file = Dir.Combine("pathy.xml");
        await File.WriteAllTextAsync(file, xml);

        var define = await Virt("define", file);
        Assert.Equal(1, define.Exit);
        Assert.Contains($"<disk> hda source path '{path}' {reason}", define.Err);
        var create = await Virt("create", file);
        Assert.Equal(1, create.Exit);
        Assert.Equal("", (await Virt("list", "--all", "--name")).Out.Trim());
    }
}
