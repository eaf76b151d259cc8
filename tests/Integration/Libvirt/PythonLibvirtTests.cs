using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>Debian's python3-libvirt 9.0 (under /usr/bin/python3, which alone sees it) scripting the real virtd.</summary>
public sealed class PythonLibvirtTests : DaemonTestBase
{
    [Fact]
    public async Task A_script_uses_the_api_as_scripts_do_and_hears_the_lifecycle_events()
    {
        var xml = Dir.Combine("py.xml");
        await File.WriteAllTextAsync(xml, TestGuest.Xml(Dir.Path, "py"));
        var script = Path.Combine(AppContext.BaseDirectory, "Libvirt", "libvirt_api_script.py");
        var result = await ClientProcess.RunAsync("/usr/bin/python3", [script, $"qemu+unix:///session?socket={Daemon.SocketPath}", xml]);
        Assert.True(result.Exit == 0, result.ToString());

        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "type QEMU",
            "lib 9000000",
            "secure 1",
            "defined py 1 0",
            "state True True",
            "info True 16384 1",
            "listed ['py']",
            "by-uuid py",
            "by-id py",
            "xml True",
            "reboot-event True",
            "missing True",
            "bad-xml True",
            "unsupported True",
            "stopped-event True",
            // Defined Added; Resumed Unpaused, Started Booted; Shutdown Finished (host); Stopped Destroyed.
            "events [(0, 0), (4, 0), (2, 0), (6, 2), (5, 1)]",
            "remaining []",
        ], lines);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_script_reads_stats_snapshots_saves_and_restores_and_hears_saved_and_restored()
    {
        var qcow2 = Dir.Combine("py2.qcow2");
        var xml = TestGuest.Xml(Dir.Path, "py2");
        var convert = await ClientProcess.RunAsync("qemu-img", ["convert", "-O", "qcow2", Dir.Combine("py2.img"), qcow2]);
        Assert.True(convert.Exit == 0, convert.ToString());
        xml = xml.Replace("type='raw'", "type='qcow2'").Replace(Dir.Combine("py2.img"), qcow2).Replace("<memballoon model='none'/>", "<memballoon model='virtio'/>");
        var file = Dir.Combine("py2.xml");
        await File.WriteAllTextAsync(file, xml);
        var script = Path.Combine(AppContext.BaseDirectory, "Libvirt", "libvirt_day2_script.py");
        var result = await ClientProcess.RunAsync("/usr/bin/python3", [script, $"qemu+unix:///session?socket={Daemon.SocketPath}", file, Dir.Combine("py2.save")]);
        Assert.True(result.Exit == 0, result.ToString());

        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
        [
            "stats py2 1 1 hda True",
            "memory ['actual', 'rss']",
            "block True -1",
            "snapshot p1 ['p1'] 1 1",
            "snapshots-left 0",
            "saved True True",
            "restored True",
            "managed 1 0",
            "managed-restored 0 True",
            "not-an-image True",
        ], lines[..^1]);
        // Defined Added; Resumed, Started Booted; Suspended Paused, Stopped Saved; Started Restored, Resumed;
        // (managed save) Suspended Paused, Stopped Saved; Started Restored, Resumed; Shutdown Finished, Stopped Destroyed; Undefined.
        Assert.Equal("events [(0, 0), (4, 0), (2, 0), (3, 0), (5, 4), (2, 2), (4, 0), (3, 0), (5, 4), (2, 2), (4, 0), (6, 2), (5, 1), (1, 0)]", lines[^1]);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_script_hears_pool_refresh_and_lifecycle_events_and_finds_no_networks_or_node_devices_as_cockpit_asks()
    {
        var xml = Dir.Combine("cp.xml");
        await File.WriteAllTextAsync(xml, TestGuest.Xml(Dir.Path, "cp"));
        var pool = Dir.Combine("cp-pool");
        Directory.CreateDirectory(pool);
        var script = Path.Combine(AppContext.BaseDirectory, "Libvirt", "libvirt_cockpit_script.py");
        var result = await ClientProcess.RunAsync("/usr/bin/python3", [script, $"qemu+unix:///session?socket={Daemon.SocketPath}", xml, pool]);
        Assert.True(result.Exit == 0, result.ToString());

        Assert.Equal(
        [
            // Defined, Started; Refresh; Stopped, Undefined (virStoragePoolEventLifecycleType).
            "pool-events [('lifecycle', 'cp', 0, 0), ('lifecycle', 'cp', 2, 0), ('refresh', 'cp'), ('lifecycle', 'cp', 3, 0), ('lifecycle', 'cp', 1, 0)]",
            "pool-by-uuid cp",
            "networks [] 0 0 [] []",
            "network-by-name True",
            "network-by-uuid True",
            "network-events registered",
            "devices [] 0 []",
            "device-by-name True",
            "device-events registered",
            "memory ['buffers', 'cached', 'free', 'total'] True True",
            "memory-cell0 ['free', 'total']",
            "memory-cell-too-big True",
            "updated 0",
            "scheduler True",
            "addresses-shut-off True",
            "addresses {} {}",
            "addresses-agent True",
        ], result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
