using System.Text.Json;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>Disks attached to and detached from the test guest, live through QMP and in the config, through the real virsh and `virt`.</summary>
public sealed class HotplugTests : DaemonTestBase
{
    private async Task StartAsync(string name)
    {
        await DefineTestGuestAsync(name);
        await Virsh.OkAsync("start", name);
    }

    /// <summary>The virtio block devices QEMU has, by their device id.</summary>
    private async Task<List<string>> VirtioDrivesAsync(string name)
    {
        using var json = JsonDocument.Parse(await Virsh.OkAsync("qemu-monitor-command", name, "{\"execute\":\"query-block\"}"));
        return [.. json.RootElement.GetProperty("return").EnumerateArray()
            .Select(d => d.GetProperty("qdev").GetString() ?? "").Where(q => q.Contains("virtio-disk", StringComparison.Ordinal))];
    }

    [Fact]
    public async Task A_virtio_disk_is_plugged_into_the_running_guest_and_an_unplug_the_guest_ignores_leaves_it()
    {
        await StartAsync("hp");
        var extra = Dir.Combine("extra.img");
        await File.WriteAllBytesAsync(extra, new byte[1024 * 1024]);

        var events = Virsh.RunAsync("event", "hp", "--event", "device-added", "--loop", "--timeout", "5");
        var virtEvents = VirtAsync("event", "hp", "--event", "device-added", "--loop", "--timeout", "5");
        await Task.Delay(1500); // the registrations reach the daemon first
        Assert.Equal("Disk attached successfully\n\n", await Virsh.OkAsync("attach-disk", "hp", extra, "vdb", "--targetbus", "virtio"));
        Assert.StartsWith("event 'device-added' for domain 'hp': virtio-disk1\n", (await events).Out);
        Assert.Equal("event 'device-added' for domain 'hp': virtio-disk1\nevent loop timed out\nevents received: 1\n\n", (await virtEvents).Out);
        Assert.Single(await VirtioDrivesAsync("hp"), d => d.Contains("virtio-disk1", StringComparison.Ordinal));
        Assert.Contains($"<source file='{extra}'/>", await Virsh.OkAsync("dumpxml", "hp"));
        Assert.DoesNotContain(extra, await Virsh.OkAsync("dumpxml", "--inactive", "hp")); // live only, virsh's default
        Assert.StartsWith("Capacity:       1048576\n", await Virsh.OkAsync("domblkinfo", "hp", "vdb")); // stats find the new drive by its image

        var again = await Virsh.RunAsync("attach-disk", "hp", extra, "vdb", "--targetbus", "virtio");
        Assert.NotEqual(0, again.Exit);
        Assert.Contains("target vdb already exists", again.Err);

        // The test guest has no ACPI hot-plug driver: it never lets go. As libvirt, the detach succeeds after its wait
        // and the disk stays, until a DEVICE_DELETED that does not come.
        Assert.Equal("Disk detached successfully\n\n", await VirtOkAsync("detach-disk", "hp", "vdb"));
        Assert.Contains($"<source file='{extra}'/>", await Virsh.OkAsync("dumpxml", "hp"));
        Assert.Single(await VirtioDrivesAsync("hp"));

        var ide = await Virsh.RunAsync("attach-disk", "hp", Dir.Combine("other.img"), "hdb", "--targetbus", "ide");
        Assert.NotEqual(0, ide.Exit);
        Assert.Contains("cannot be hot-plugged", ide.Err);
        await Virsh.OkAsync("destroy", "hp");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task The_config_gains_and_loses_a_disk_and_a_missing_one_is_libvirts_error()
    {
        var file = Dir.Combine("cf.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, "cf"));
        await Virsh.OkAsync("define", file);
        var extra = Dir.Combine("cf-extra.qcow2");
        await File.WriteAllBytesAsync(extra, []);

        Assert.Equal("Disk attached successfully\n\n", await Virsh.OkAsync("attach-disk", "cf", extra, "vdc", "--subdriver", "qcow2", "--config"));
        var inactive = await Virsh.OkAsync("dumpxml", "--inactive", "cf");
        Assert.Contains("<target dev='vdc' bus='virtio'/>", inactive);
        Assert.Contains("type='qcow2'", inactive);
        Assert.Equal("Disk detached successfully\n\n", await VirtOkAsync("detach-disk", "cf", "vdc", "--config"));
        Assert.DoesNotContain("vdc", await Virsh.OkAsync("dumpxml", "--inactive", "cf"));

        var missing = Dir.Combine("missing.xml");
        await File.WriteAllTextAsync(missing, "<disk type='file' device='disk'><target dev='vdz' bus='virtio'/></disk>");
        var detach = await Virsh.RunAsync("detach-device", "cf", missing, "--config");
        Assert.NotEqual(0, detach.Exit);
        Assert.Contains("device not found: disk vdz not found", detach.Err);
        var live = await Virsh.RunAsync("attach-disk", "cf", extra, "vdd");
        Assert.NotEqual(0, live.Exit); // live by default, and the domain is not running
        Assert.Contains("not running", live.Err);
    }
}
