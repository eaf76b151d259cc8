using System.Text.Json;
using Virt.Integration.Tests.Support;
using Virt.Supervisor.TestGuest;

namespace Virt.Integration.Tests;

/// <summary>
/// Network interfaces (user-mode only: no traffic leaves) attached to and detached from the test guest, live through QMP and
/// in the config, through `virt` and the real virsh. The guest that lets go is the ejecting test guest: it answers a
/// device_del as a guest's ACPI driver does, so QEMU's DEVICE_DELETED comes.
/// </summary>
public sealed class InterfaceHotplugTests : DaemonTestBase
{
    private const string Mac = "52:54:00:4e:49:43";
    private const string UserNic = "<interface type='user'><mac address='52:54:00:00:00:10'/><model type='virtio'/></interface>";

    /// <summary>Defines the guest (the ejecting one, or the one that never lets go) with <paramref name="devices"/>, and starts it when asked.</summary>
    private async Task DefineAsync(string name, string devices = "", bool start = true, bool ejecting = true)
    {
        if (ejecting)
            EjectingGuestImage.Write(Dir.Combine(name + ".img"));
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, TestGuest.WithDevices(TestGuest.Xml(Dir.Path, name), devices));
        await VirtOkAsync("define", file);
        if (!start)
            return;
        await VirtOkAsync("start", name);
        await TestGuest.WaitReadyAsync(Dir.Path, name);
    }

    /// <summary>QEMU's own account of its NICs and their backends (HMP info network, through QMP).</summary>
    private async Task<string> NetworkAsync(string name)
    {
        var reply = await VirtOkAsync("qemu-monitor-command", name, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info network\"}}");
        using var json = JsonDocument.Parse(reply);
        return json.RootElement.GetProperty("return").GetString()!;
    }

    [Fact]
    public async Task A_user_interface_is_plugged_into_the_running_guest_and_leaves_when_the_guest_lets_go()
    {
        // One NIC from the start: net0 on hostnet0. The plugged one must look like a start's second.
        await DefineAsync("nic", UserNic);
        var added = VirtAsync("event", "nic", "--event", "device-added", "--loop", "--timeout", "8");
        var removed = VirtAsync("event", "nic", "--event", "device-removed", "--loop", "--timeout", "12");
        await Task.Delay(1500); // the registrations reach the daemon first

        Assert.Equal("Interface attached successfully\n\n", await VirtOkAsync("attach-interface", "nic", "user", "default", "--mac", Mac));
        var network = await NetworkAsync("nic");
        Assert.Contains($"net1: index=0,type=nic,model=virtio-net-pci,macaddr={Mac}", network);
        Assert.Contains("\\ hostnet1: index=0,type=user", network);
        var live = await VirtOkAsync("dumpxml", "nic");
        Assert.Contains($"<mac address='{Mac}'/>", live);
        Assert.Contains("<alias name='net1'/>", live);
        Assert.DoesNotContain(Mac, await VirtOkAsync("dumpxml", "--inactive", "nic")); // live only, as virsh's default

        var duplicate = await VirtAsync("attach-interface", "nic", "user", "default", "--mac", Mac);
        Assert.NotEqual(0, duplicate.Exit);
        Assert.Contains($"mac {Mac} already exists", duplicate.Err);
        var ambiguous = await VirtAsync("detach-interface", "nic", "user");
        Assert.NotEqual(0, ambiguous.Exit);
        Assert.Contains("Domain has 2 interfaces. Please specify which one to detach using --mac", ambiguous.Err);

        // The guest ejects it: the detach ends at DEVICE_DELETED, the NIC and its backend are gone.
        Assert.Equal("Interface detached successfully\n\n", await VirtOkAsync("detach-interface", "nic", "user", "--mac", Mac));
        Assert.DoesNotContain(Mac, await VirtOkAsync("dumpxml", "nic"));
        await WaitForAsync(async () => !(await NetworkAsync("nic")).Contains("hostnet1", StringComparison.Ordinal)); // netdev_del follows the event
        Assert.Contains("net0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:00:00:10", await NetworkAsync("nic"));
        Assert.Equal("event 'device-added' for domain 'nic': net1\nevent loop timed out\nevents received: 1\n\n", (await added).Out);
        Assert.Equal("event 'device-removed' for domain 'nic': net1\nevent loop timed out\nevents received: 1\n\n", (await removed).Out);

        var gone = await VirtAsync("detach-interface", "nic", "user", "--mac", Mac);
        Assert.NotEqual(0, gone.Exit);
        Assert.Contains($"No interface with MAC address {Mac} was found", gone.Err);

        // The start's NIC goes too; one plugged next takes the id it freed, with a MAC of QEMU's range.
        Assert.Equal("Interface detached successfully\n\n", await VirtOkAsync("detach-interface", "nic", "user"));
        Assert.Equal("Interface attached successfully\n\n", await VirtOkAsync("attach-interface", "nic", "user", "default", "--model", "e1000"));
        Assert.Matches("net0: index=0,type=nic,model=e1000,macaddr=52:54:00(:[0-9a-f]{2}){3}\r?\n", await NetworkAsync("nic"));
        await VirtOkAsync("destroy", "nic");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_guest_that_never_lets_go_keeps_its_interface_after_libvirts_wait()
    {
        await DefineAsync("stuck", ejecting: false);
        await VirtOkAsync("attach-interface", "stuck", "user", "default", "--mac", Mac);
        Assert.Equal("Interface detached successfully\n\n", await VirtOkAsync("detach-interface", "stuck", "user"));
        Assert.Contains($"<mac address='{Mac}'/>", await VirtOkAsync("dumpxml", "stuck"));
        Assert.Contains($"net0: index=0,type=nic,model=virtio-net-pci,macaddr={Mac}", await NetworkAsync("stuck"));
        await VirtOkAsync("destroy", "stuck");
    }

    [Fact]
    public async Task The_config_gains_an_interface_the_next_start_gives_qemu_and_bad_requests_get_libvirts_errors()
    {
        await DefineAsync("cf", start: false);
        var notRunning = await VirtAsync("attach-interface", "cf", "user", "default");
        Assert.NotEqual(0, notRunning.Exit); // live by default, and the domain is not running
        Assert.Contains("not running", notRunning.Err);
        var unknown = await VirtAsync("attach-interface", "cf", "token-ring", "default", "--config");
        Assert.NotEqual(0, unknown.Exit);
        Assert.Contains("No support for token-ring in command 'attach-interface'", unknown.Err);

        Assert.Equal("Interface attached successfully\n\n", await VirtOkAsync("attach-interface", "cf", "user", "default", "--config", "--mac", Mac, "--model", "e1000"));
        var inactive = await VirtOkAsync("dumpxml", "--inactive", "cf");
        Assert.Contains($"<mac address='{Mac}'/>", inactive);
        Assert.Contains("<model type='e1000'/>", inactive);
        Assert.DoesNotContain("<alias", inactive);

        await VirtOkAsync("start", "cf");
        Assert.Contains($"net0: index=0,type=nic,model=e1000,macaddr={Mac}", await NetworkAsync("cf"));
        Assert.Contains("<alias name='net0'/>", await VirtOkAsync("dumpxml", "cf"));

        // A bridge needs a tap only a start makes: refused live, and the config is left as it was.
        var bridge = await VirtAsync("attach-interface", "cf", "bridge", "br0", "--persistent");
        Assert.NotEqual(0, bridge.Exit);
        Assert.Contains("cannot be hot-plugged", bridge.Err);
        Assert.DoesNotContain("br0", await VirtOkAsync("dumpxml", "--inactive", "cf"));

        Assert.Equal("Interface detached successfully\n\n", await VirtOkAsync("detach-interface", "cf", "user", "--config"));
        Assert.DoesNotContain(Mac, await VirtOkAsync("dumpxml", "--inactive", "cf"));
        Assert.Contains(Mac, await VirtOkAsync("dumpxml", "cf")); // --config: the running guest keeps it
        var none = await VirtAsync("detach-interface", "cf", "user", "--config");
        Assert.NotEqual(0, none.Exit);
        Assert.Contains("No interface found whose type is user", none.Err);
        await VirtOkAsync("destroy", "cf");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task The_real_virsh_plugs_updates_and_unplugs_interfaces()
    {
        await DefineAsync("vs");
        var file = Dir.Combine("nic.xml");
        await File.WriteAllTextAsync(file, $"<interface type='user'><mac address='{Mac}'/><model type='virtio'/></interface>");
        Assert.Equal("Device attached successfully\n\n", await Virsh.OkAsync("attach-device", "vs", file));
        Assert.Contains($"macaddr={Mac}", await NetworkAsync("vs"));

        // An update that changes nothing is taken; one that would change the device is libvirt's refusal.
        Assert.Equal("Device updated successfully\n\n", await Virsh.OkAsync("update-device", "vs", file));
        await File.WriteAllTextAsync(file, $"<interface type='user'><mac address='{Mac}'/><model type='e1000'/></interface>");
        var model = await Virsh.RunAsync("update-device", "vs", file);
        Assert.NotEqual(0, model.Exit);
        Assert.Contains("cannot modify network device model from virtio to e1000", model.Err);

        // virsh builds no user interface itself; it finds one to detach in the live XML all the same.
        var user = await Virsh.RunAsync("attach-interface", "vs", "user", "default");
        Assert.NotEqual(0, user.Exit);
        Assert.Contains("No support for user in command 'attach-interface'", user.Err);
        Assert.Equal("Interface detached successfully\n\n", await Virsh.OkAsync("detach-interface", "vs", "user", "--mac", Mac));
        Assert.DoesNotContain(Mac, await Virsh.OkAsync("dumpxml", "vs"));

        var missing = Dir.Combine("missing.xml");
        await File.WriteAllTextAsync(missing, "<interface type='user'><mac address='52:54:00:aa:bb:cc'/></interface>");
        var detach = await Virsh.RunAsync("detach-device", "vs", missing);
        Assert.NotEqual(0, detach.Exit);
        Assert.Contains("device not found: no device found at address '(<null>)' matching MAC address '52:54:00:aa:bb:cc' and alias '(<null>)'", detach.Err);

        // A network interface in the config, as virsh builds it; it goes again by type.
        Assert.Equal("Interface attached successfully\n\n", await Virsh.OkAsync("attach-interface", "vs", "network", "default", "--config", "--mac", "52:54:00:00:00:77"));
        Assert.Contains("<source network='default'/>", await Virsh.OkAsync("dumpxml", "--inactive", "vs"));
        Assert.Equal("Interface detached successfully\n\n", await Virsh.OkAsync("detach-interface", "vs", "network", "--config"));
        Assert.DoesNotContain("network='default'", await Virsh.OkAsync("dumpxml", "--inactive", "vs"));
        await Virsh.OkAsync("destroy", "vs");
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }
}
