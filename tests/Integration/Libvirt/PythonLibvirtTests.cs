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
}
