using Virt.Integration.Tests.Support;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// Debian's real virsh 9.0, unchanged, against the real virtd over its own socket
/// (qemu+unix:///session?socket=...), with the real QEMU and the test guest: what virsh prints and its exit status.
/// </summary>
public sealed class VirshTests : DaemonTestBase
{
    private Virsh Client => new(Daemon.SocketPath);

    private Task<ClientProcess.Result> RunVirsh(params string[] args) => Client.RunAsync(args);

    private Task<string> Ok(params string[] args) => Client.OkAsync(args);

    private async Task<string> DefineAsync(string name)
    {
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, name));
        Assert.Equal($"Domain '{name}' defined from {file}\n\n", await Ok("define", file));
        return file;
    }

    [Fact]
    public async Task Version_names_the_hypervisor_from_the_probe()
    {
        var version = await Ok("version");
        Assert.Contains("Using library: libvirt 9.0.0", version);
        Assert.Matches(@"Running hypervisor: QEMU \d+\.\d+\.\d+", version);
        Assert.Contains("<os_type>hvm</os_type>", await Ok("capabilities"));
        Assert.Contains("<domainCapabilities>", await Ok("domcapabilities"));
    }

    [Fact]
    public async Task A_domain_goes_through_its_life_as_virsh_shows_it()
    {
        await DefineAsync("vv");
        Assert.Equal(" Id   Name   State\n-----------------------\n -    vv     shut off\n\n", await Ok("list", "--all"));
        Assert.Equal(" Id   Name   State\n--------------------\n\n", await Ok("list"));

        Assert.Equal("Domain 'vv' started\n\n", await Ok("start", "vv"));
        await TestGuest.WaitReadyAsync(Dir.Path, "vv");
        Assert.Equal(" Id   Name   State\n----------------------\n 1    vv     running\n\n", await Ok("list"));
        Assert.Equal("vv\n\n", await Ok("list", "--name", "--state-running"));
        Assert.Equal("\n", await Ok("list", "--name", "--inactive"));
        Assert.Equal("running (booted)\n\n", await Ok("domstate", "--reason", "vv"));
        Assert.Equal("1\n\n", await Ok("domid", "vv"));
        Assert.Equal("vv\n\n", await Ok("domname", "1"));
        var uuid = (await Ok("domuuid", "vv")).Trim();
        Assert.Equal("vv\n\n", await Ok("domname", uuid));

        var info = await Ok("dominfo", "vv");
        Assert.Contains("Name:           vv\n", info);
        Assert.Contains("State:          running\n", info);
        Assert.Contains("Max memory:     16384 KiB\n", info);
        Assert.Contains("Persistent:     yes\n", info);
        Assert.Contains("Security model: none\n", info);
        Assert.StartsWith("<domain type='qemu' id='1'>\n  <name>vv</name>", await Ok("dumpxml", "vv"));
        Assert.StartsWith("<domain type='qemu'>\n  <name>vv</name>", await Ok("dumpxml", "--inactive", "vv"));

        Assert.Equal("Domain 'vv' suspended\n\n", await Ok("suspend", "vv"));
        Assert.Equal("paused (user)\n\n", await Ok("domstate", "--reason", "vv"));
        Assert.Equal("Domain 'vv' resumed\n\n", await Ok("resume", "vv"));
        Assert.Equal("running (unpaused)\n\n", await Ok("domstate", "--reason", "vv"));

        Assert.Equal("Domain 'vv' is being rebooted\n\n", await Ok("reboot", "vv"));
        await WaitForAsync(() => File.ReadAllText(TestGuest.SerialPath(Dir.Path, "vv")).Split(TestGuestImage.ReadyLine).Length - 1 >= 2);
        Assert.Equal("Domain 'vv' was reset\n\n", await Ok("reset", "vv"));
        await WaitForAsync(() => File.ReadAllText(TestGuest.SerialPath(Dir.Path, "vv")).Split(TestGuestImage.ReadyLine).Length - 1 >= 3);

        Assert.Equal("Domain 'vv' is being shutdown\n\n", await Ok("shutdown", "vv"));
        await WaitForAsync(async () => await Ok("domstate", "--reason", "vv") == "shut off (shutdown)\n\n");

        Assert.Equal("Domain 'vv' marked as autostarted\n\n", await Ok("autostart", "vv"));
        Assert.Equal("vv\n\n", await Ok("list", "--all", "--name", "--autostart"));
        Assert.Equal("Domain 'vv' unmarked as autostarted\n\n", await Ok("autostart", "--disable", "vv"));

        Assert.Equal("Domain 'vv' started\n\n", await Ok("start", "vv"));
        Assert.Equal("Domain 'vv' destroyed\n\n", await Ok("destroy", "vv"));
        Assert.Equal("shut off (destroyed)\n\n", await Ok("domstate", "--reason", "vv"));
        Assert.Equal("Domain 'vv' has been undefined\n\n", await Ok("undefine", "vv"));
        Assert.Equal("\n", await Ok("list", "--all", "--name"));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task Start_autodestroy_ends_the_vm_when_virsh_exits_and_create_makes_a_transient_one()
    {
        await DefineAsync("owned");
        Assert.Equal("Domain 'owned' started\n\n", await Ok("start", "--autodestroy", "owned"));
        await WaitForAsync(async () => await Ok("domstate", "--reason", "owned") == "shut off (destroyed)\n\n");

        var file = Dir.Combine("passing.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, "passing"));
        Assert.Equal($"Domain 'passing' created from {file}\n\n", await Ok("create", file));
        Assert.Equal("passing\n\n", await Ok("list", "--name", "--transient"));
        Assert.Equal("Domain 'passing' destroyed\n\n", await Ok("destroy", "passing"));
        Assert.Equal("\n", await Ok("list", "--name", "--transient", "--all"));
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task The_monitor_takes_qmp_and_hmp()
    {
        await DefineAsync("mon");
        await Ok("start", "mon");
        var qmp = await Ok("qemu-monitor-command", "mon", "--pretty", "{\"execute\":\"query-status\"}");
        Assert.Contains("\"status\": \"running\"", qmp);
        // HMP answers end in CRLF, which virsh prints before its own newline, as it does against libvirtd.
        Assert.Equal("VM status: running\r\n\n\n", await Ok("qemu-monitor-command", "mon", "--hmp", "info status"));
        await Ok("destroy", "mon");
    }

    [Fact]
    public async Task Event_loop_prints_libvirts_lines_for_start_and_destroy()
    {
        await DefineAsync("ev");
        var loop = RunVirsh("event", "--all", "--loop", "--timeout", "6");
        await Task.Delay(1500); // the registrations reach the daemon first
        await Ok("start", "ev");
        await Ok("destroy", "ev");
        var result = await loop;
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string[] expected = [.. LibvirtLifecycle.Start, .. LibvirtLifecycle.Destroy];
        Assert.Equal(expected.Select(e => $"event 'lifecycle' for domain 'ev': {e}").Append("event loop timed out").Append($"events received: {expected.Length}"), lines);
    }

    [Fact]
    public async Task A_reset_and_a_reboot_print_libvirts_reboot_events_and_no_lifecycle_ones()
    {
        await DefineAsync("rb");
        await Ok("start", "rb");
        await TestGuest.WaitReadyAsync(Dir.Path, "rb");
        var loop = RunVirsh("event", "--all", "--loop", "--timeout", "8");
        await Task.Delay(1500); // the registrations reach the daemon first
        await Ok("reset", "rb");
        await WaitForAsync(() => File.ReadAllText(TestGuest.SerialPath(Dir.Path, "rb")).Split(TestGuestImage.ReadyLine).Length - 1 >= 2);
        await Ok("reboot", "rb");
        var result = await loop;
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var events = lines.Where(l => l.StartsWith("event '", StringComparison.Ordinal)).ToList();
        // One per QEMU RESET: the host's reset, then whatever resets the firmware does; a reboot is a reset too.
        Assert.True(events.Count >= 2, result.ToString());
        Assert.All(events, e => Assert.Equal("event 'reboot' for domain 'rb'", e));
        Assert.Equal($"events received: {events.Count}", lines[^1]);
        Assert.Equal("running (booted)\n\n", await Ok("domstate", "--reason", "rb"));
        await Ok("destroy", "rb");
    }

    [Fact]
    public async Task A_define_keeps_the_hardware_libvirt_would_give_and_it_stays_the_same_across_a_restart()
    {
        await DefineAsync("hw");
        var xml = await Ok("dumpxml", "--inactive", "hw");
        Assert.Matches(@"<type arch='x86_64' machine='pc-i440fx-\d+\.\d+'>hvm</type>", xml); // the alias pc, pinned to its version
        Assert.Contains("<address type='drive' controller='0' bus='0' target='0' unit='0'/>", xml);
        Assert.Contains("<controller type='usb' index='0' model='piix3-uhci'>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x01' function='0x2'/>", xml);
        Assert.Contains("<controller type='pci' index='0' model='pci-root'/>", xml);
        Assert.Contains("<controller type='ide' index='0'>", xml);

        await Ok("start", "hw");
        // Live, the serial and its console carry the alias QEMU knows them by, as libvirt's live XML does.
        var live = await Ok("dumpxml", "hw");
        Assert.Equal(2, live.Split("\n      <alias name='serial0'/>").Length - 1);
        Assert.Equal(xml.Replace("<domain type='qemu'>", "<domain type='qemu' id='1'>"), live.Replace("\n      <alias name='serial0'/>", ""));
        await Ok("destroy", "hw");
        await RestartDaemonAsync(hard: false);
        Assert.Equal(xml, await Ok("dumpxml", "--inactive", "hw"));
    }

    [Fact]
    public async Task Errors_read_as_libvirts_with_exit_status_1()
    {
        var missing = await RunVirsh("dominfo", "nosuch");
        Assert.Equal(1, missing.Exit);
        Assert.Equal("error: failed to get domain 'nosuch'\n", missing.Err);

        var file = await DefineAsync("dup");
        var clash = Dir.Combine("clash.xml");
        var uuid = (await Ok("domuuid", "dup")).Trim();
        await File.WriteAllTextAsync(clash, TestGuest.Xml(Dir.Path, "other", Guid.Parse(uuid)));
        var duplicate = await RunVirsh("define", clash);
        Assert.Equal(1, duplicate.Exit);
        Assert.Equal($"error: Failed to define domain from {clash}\nerror: operation failed: domain 'dup' is already defined with uuid {uuid}\n", duplicate.Err);

        var broken = Dir.Combine("broken.xml");
        await File.WriteAllTextAsync(broken, "<domain type='qemu'><name>broken</name>");
        var bad = await RunVirsh("define", broken);
        Assert.Equal(1, bad.Exit);
        Assert.StartsWith($"error: Failed to define domain from {broken}\nerror: XML error: ", bad.Err);

        var notRunning = await RunVirsh("destroy", "dup");
        Assert.Equal(1, notRunning.Exit);
        Assert.Equal("error: Failed to destroy domain 'dup'\nerror: Requested operation is not valid: domain 'dup' is not running\n", notRunning.Err);
        Assert.Equal("dup\n\n", await Ok("list", "--all", "--name"));
    }

    [Fact]
    public async Task A_read_only_connection_lists_and_changes_nothing()
    {
        await DefineAsync("ro");
        var list = await Client.ReadOnlyAsync("list", "--all", "--name");
        Assert.Equal("ro\n\n", list.Out);
        // The library itself refuses a change on a connection it opened read-only; the daemon refuses it on its
        // read-only socket (SystemDaemonTests).
        var start = await Client.ReadOnlyAsync("start", "ro");
        Assert.Equal(1, start.Exit);
        Assert.Contains("error: operation forbidden: read only access prevents virDomainCreate", start.Err);
        Assert.Equal("shut off\n\n", await Ok("domstate", "ro"));
    }
}
