using Virt.Integration.Tests.Support;
using Virt.Protocol.Errors;
using Virt.Supervisor.Network;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// &lt;interface type='bridge'&gt; and type='network' as a root daemon runs them: a tap per NIC, made by the daemon,
/// plugged into the bridge and handed to QEMU, gone when QEMU goes. The daemon runs in a network namespace the test
/// makes, with its own bridge, so nothing touches the host's network.
/// </summary>
public sealed class BridgedInterfaceTests : DaemonTestBase
{
    private const string Bridge = "vtbr0";

    private Virsh Client => new(Daemon.SocketPath);

    public override async Task InitializeAsync()
    {
        var config = Dir.Combine("virt.hocon");
        await File.WriteAllTextAsync(config, $"virt.networks {{ lan {{ bridge = {Bridge} }}\n  broken {{ bridge = nosuchbr }} }}\n");
        Daemon = await DaemonProcess.StartInNetworkNamespaceAsync(Dir.Combine("root"),
            $"ip link add {Bridge} type bridge\nip link set {Bridge} up", "--config", config);
    }

    private string GuestWith(string name, string interfaces) =>
        TestGuest.Xml(Dir.Path, name).Replace("<memballoon model='none'/>", interfaces + "<memballoon model='none'/>");

    private async Task<string> DefineAsync(string name, string interfaces)
    {
        var file = Dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, GuestWith(name, interfaces));
        await Client.OkAsync("define", file);
        return file;
    }

    private async Task<string[]> PortsOfBridgeAsync()
    {
        var ports = await Daemon.InNamespaceAsync("ip", "-o", "link", "show", "master", Bridge);
        Assert.True(ports.Exit == 0, ports.ToString());
        return [.. ports.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }

    [Fact]
    public async Task Bridge_and_network_interfaces_get_taps_on_the_bridge_that_vanish_with_qemu()
    {
        await DefineAsync("nets", """
            <interface type='bridge'><mac address='52:54:00:12:34:56'/><source bridge='vtbr0'/><model type='virtio'/></interface>
            <interface type='network'><source network='lan'/><model type='e1000'/></interface>
            """);
        await Client.OkAsync("start", "nets");

        // Both taps are ports of the bridge, up, each with the guest's MAC under a host prefix (fe:).
        var ports = await PortsOfBridgeAsync();
        Assert.Equal(2, ports.Length);
        Assert.All(ports, p => Assert.Contains(",UP,LOWER_UP>", p));
        Assert.Contains(ports, p => p.Contains("vnet0") && p.Contains("link/ether fe:54:00:12:34:56"));
        Assert.Contains(ports, p => p.Contains("vnet1"));

        // virsh reads the taps' names from the live XML, as from libvirt's.
        var iflist = await Client.OkAsync("domiflist", "nets");
        Assert.Matches(@"vnet0\s+bridge\s+vtbr0\s+virtio\s+52:54:00:12:34:56", iflist);
        Assert.Matches(@"vnet1\s+network\s+lan\s+e1000\s+52:54:00:", iflist);
        // The persistent definition keeps what was written, with the MAC it was given once.
        var inactive = await Client.OkAsync("dumpxml", "--inactive", "nets");
        Assert.DoesNotContain("vnet", inactive);
        Assert.Equal(2, inactive.Split("<mac address='52:54:00:").Length - 1);

        // Only QEMU holds the taps: the daemon closed its copies once QEMU had them.
        Assert.DoesNotContain("/dev/net/tun", TunDescriptorsOf(Daemon.Pid));
        await Client.OkAsync("destroy", "nets");
        Assert.Empty(await PortsOfBridgeAsync());
        var gone = await Daemon.InNamespaceAsync("ip", "link", "show", "vnet0");
        Assert.NotEqual(0, gone.Exit);

        // A second start gets its taps again.
        await Client.OkAsync("start", "nets");
        Assert.Equal(2, (await PortsOfBridgeAsync()).Length);
        await Client.OkAsync("destroy", "nets");
    }

    [Fact]
    public void Without_CAP_NET_ADMIN_the_refusal_says_why_and_what_would_work()
    {
        // As a session daemon would be: the calling thread as nobody, which has no capabilities.
        var refused = OtherUser.Run(OtherUser.Nobody, () => Assert.Throws<VirtException>(
            () => TapDevice.CreateOnBridge("interface 0", Bridge, null, "52:54:00:00:00:01", vnetHeader: false)));
        Assert.True(refused.Code == ErrorCode.OperationDenied, refused.Message);
        Assert.Contains("needs CAP_NET_ADMIN", refused.Message);
        Assert.Contains("<interface type='user'>", refused.Message);
    }

    private static string TunDescriptorsOf(int pid) =>
        string.Join("\n", Directory.GetFiles($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget ?? ""));

    [Theory]
    [InlineData("<interface type='network'><source network='nope'/></interface>", "Network not found: no network with matching name 'nope'")]
    [InlineData("<interface type='network'><source network='broken'/></interface>", "bridge 'nosuchbr' does not exist")]
    [InlineData("<interface type='bridge'><source bridge='lo'/></interface>", "'lo' is not a bridge")]
    public async Task A_start_whose_network_cannot_be_joined_fails_naming_it_and_leaves_no_tap(string nic, string error)
    {
        // A good NIC first: its tap is made before the bad one fails, and must be undone.
        await DefineAsync("bad", "<interface type='bridge'><source bridge='vtbr0'/></interface>" + nic);
        var start = await Client.RunAsync("start", "bad");
        Assert.Equal(1, start.Exit);
        Assert.True(start.Err.Contains(error, StringComparison.Ordinal), start.Err);
        if (!error.StartsWith("Network", StringComparison.Ordinal))
            Assert.Contains("interface 1", start.Err);
        Assert.Empty(await PortsOfBridgeAsync());
        Assert.Equal("shut off\n\n", await Client.OkAsync("domstate", "bad"));
    }
}
