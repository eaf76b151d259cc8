using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Remote;

/// <summary>virtd with its Akka.Remote endpoint on a free loopback port, and .NET clients over qemu+akka://.</summary>
public sealed class RemoteClientTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vr");
    private readonly List<VirtConnection> _connections = [];
    private DaemonProcess _daemon = null!;
    private int _port;
    private TestCertificates.Issued _server = null!;
    private TestCertificates.Issued _client = null!;
    private string Uri => RemoteSetup.ClientUri(_port, _client.Path, _server.Thumbprint);

    public async Task InitializeAsync()
    {
        _server = TestCertificates.Create(_dir.Path, "virtd");
        _client = TestCertificates.Create(_dir.Path, "client");
        _port = RemoteSetup.FreePort();
        var config = RemoteSetup.WriteConfig(_dir.Path, "127.0.0.1", _port, _server.Path, _client.Thumbprint);
        _daemon = await DaemonProcess.StartAsync(_dir.Combine("root"), "--config", config);
    }

    public async Task DisposeAsync()
    {
        foreach (var connection in _connections)
            await connection.DisposeAsync();
        await _daemon.DisposeAsync();
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }

    /// <summary>A plain socket client of the same daemon, to watch what the remote clients do.</summary>
    private async Task<VirtConnection> ConnectAsync()
    {
        var connection = await VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = _daemon.SocketPath, CallTimeout = TimeSpan.FromSeconds(60) });
        _connections.Add(connection);
        return connection;
    }

    [Fact]
    public async Task A_client_in_another_process_loses_its_autodestroy_domain_when_killed()
    {
        await using var observer = await ConnectAsync();
        var events = (await observer.SubscribeEventsAsync()).GetAsyncEnumerator();
        var xmlFile = _dir.Combine("doomed.xml");
        await File.WriteAllTextAsync(xmlFile, TestGuest.Xml(_dir.Path, "doomed"));

        await using var client = RemoteClientProcess.Start(Uri, xmlFile);
        var line = await client.ReadLineAsync(TimeSpan.FromSeconds(60));
        Assert.StartsWith("started doomed ", line);
        Assert.EndsWith("running (booted)", line);
        Assert.Equal("running (booted)", (await observer.LookupAsync(DomainRef.ByName("doomed"))).StateText);
        Assert.Single(QemuReaper.FindUnder(_dir.Path));

        client.KillHard();

        var stopped = await NextOfTypeAsync(events, DomainEventType.Stopped, TimeSpan.FromSeconds(60));
        Assert.Equal(("doomed", "Stopped Destroyed"), (stopped.Name.Value, stopped.Display));
        Assert.Equal("shut off (destroyed)", (await observer.LookupAsync(DomainRef.ByName("doomed"))).StateText);
        Assert.Empty(QemuReaper.FindUnder(_dir.Path));
        Assert.Contains("disassociated", _daemon.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_in_process_client_lists_defines_starts_destroys_and_gets_events()
    {
        await using var remote = await VirtConnection.OpenAsync(Uri, new VirtConnectionOptions { CallTimeout = TimeSpan.FromSeconds(60) });
        var events = (await remote.SubscribeEventsAsync()).GetAsyncEnumerator();
        Assert.Empty(await remote.ListAsync());

        var defined = await remote.DefineAsync(TestGuest.Xml(_dir.Path, "vm1"));
        Assert.Equal((DomainState.Shutoff, true), (defined.State, defined.Persistent));
        var vm = DomainRef.ByName("vm1");
        Assert.Equal("running (booted)", (await remote.StartAsync(vm)).StateText);
        Assert.Equal("vm1", Assert.Single(await remote.ListAsync()).Name.Value);
        Assert.Contains("<name>vm1</name>", await remote.GetXmlAsync(vm));
        Assert.Equal("shut off (destroyed)", (await remote.DestroyAsync(vm)).StateText);

        var seen = new List<string>();
        while (seen.Count < 5)
            seen.Add((await NextAsync(events, TimeSpan.FromSeconds(30))).Display);
        Assert.Equal(["Defined Added", .. LibvirtLifecycle.Start, .. LibvirtLifecycle.Destroy], seen);
        Assert.Empty(QemuReaper.FindUnder(_dir.Path));
    }

    [Fact]
    public async Task Reboot_and_device_events_reach_a_remote_client_in_order_with_the_lifecycle_ones()
    {
        await using var remote = await VirtConnection.OpenAsync(Uri, new VirtConnectionOptions { CallTimeout = TimeSpan.FromSeconds(60) });
        var events = (await remote.SubscribeAllEventsAsync()).GetAsyncEnumerator();
        await remote.DefineAsync(TestGuest.Xml(_dir.Path, "ev"));
        var vm = DomainRef.ByName("ev");
        await remote.StartAsync(vm);
        await TestGuest.WaitReadyAsync(_dir.Path, "ev");
        await remote.CallAsync<DomainReplies.DomainSummary>(new DomainCommands.ResetDomain(vm));
        var extra = _dir.Combine("extra.img");
        await File.WriteAllBytesAsync(extra, new byte[1024 * 1024]);
        await remote.CallAsync<DomainReplies.DomainSummary>(new DomainDevices.AttachDevice(vm,
            $"<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{extra}'/><target dev='vdb' bus='virtio'/></disk>",
            DomainModificationFlags.Live));
        await remote.DestroyAsync(vm);

        var seen = new List<string>();
        while (seen.Count == 0 || seen[^1] != "Stopped Destroyed")
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)), "the event stream ended");
            seen.Add(events.Current switch
            {
                DomainLifecycleEvent e => e.Display,
                DomainRebootEvent => "reboot",
                DomainDeviceEvent d => (d.Added ? "device-added " : "device-removed ") + d.Alias,
                var other => other.GetType().Name,
            });
        }
        // The reset is one or more RESET events, and the test guest may reset again when the hot-plug interrupt finds
        // it booting: the reboots are checked for where they start, the rest for their exact order.
        Assert.Equal(["Defined Added", .. LibvirtLifecycle.Start, "device-added virtio-disk1", .. LibvirtLifecycle.Destroy],
            seen.Where(e => e != "reboot"));
        Assert.Equal(seen.IndexOf("Started Booted") + 1, seen.IndexOf("reboot"));
        Assert.Empty(QemuReaper.FindUnder(_dir.Path));
    }

    [Fact]
    public async Task A_domain_xml_near_the_limit_travels_both_ways()
    {
        // 900 KB, far past Akka.Remote's default frame of 128 kB.
        await using var remote = await VirtConnection.OpenAsync(Uri, new VirtConnectionOptions { CallTimeout = TimeSpan.FromSeconds(60) });
        var description = new string('d', 900_000);
        var xml = TestGuest.Xml(_dir.Path, "big").Replace("<vcpu>", $"<description>{description}</description>\n  <vcpu>", StringComparison.Ordinal);
        await remote.DefineAsync(xml);
        Assert.Contains(description, await remote.GetXmlAsync(DomainRef.ByName("big")));
    }

    [Fact]
    public async Task Errors_cross_the_wire_with_their_codes()
    {
        await using var remote = await VirtConnection.OpenAsync(Uri);
        var missing = await Assert.ThrowsAsync<VirtException>(() => remote.StartAsync(DomainRef.ByName("ghost")));
        Assert.Equal(ErrorCode.NoDomain, missing.Code);
        var bad = await Assert.ThrowsAsync<VirtException>(() => remote.DefineAsync("<domain type='qemu'><name>x</name>"));
        Assert.Equal(ErrorCode.XmlError, bad.Code);
        var subscription = await Assert.ThrowsAsync<VirtException>(() => remote.SubscribeEventsAsync(new EventSubscription(DomainRef.ByName("ghost"))));
        Assert.Equal(ErrorCode.NoDomain, subscription.Code);

        await using var readOnly = await VirtConnection.OpenAsync(Uri, new VirtConnectionOptions { ReadOnly = true });
        var denied = await Assert.ThrowsAsync<VirtException>(() => readOnly.DefineAsync(TestGuest.Xml(_dir.Path, "vm2")));
        Assert.Equal(ErrorCode.OperationDenied, denied.Code);
        Assert.Empty(await readOnly.ListAsync());
    }

    [Fact]
    public async Task Disposing_a_client_destroys_its_autodestroy_domain()
    {
        await using var observer = await ConnectAsync();
        await observer.DefineAsync(TestGuest.Xml(_dir.Path, "owned"));
        var remote = await VirtConnection.OpenAsync(Uri);
        await remote.StartAsync(DomainRef.ByName("owned"), DomainCreateFlags.Autodestroy);

        await remote.DisposeAsync();

        // The goodbye waits for the connection to stop, which sends the destroy; the destroy itself may still run.
        var events = (await observer.SubscribeEventsAsync(new EventSubscription(DomainRef.ByName("owned")))).GetAsyncEnumerator();
        if ((await observer.LookupAsync(DomainRef.ByName("owned"))).Active)
            await NextOfTypeAsync(events, DomainEventType.Stopped, TimeSpan.FromSeconds(30));
        Assert.Equal("shut off (destroyed)", (await observer.LookupAsync(DomainRef.ByName("owned"))).StateText);
        Assert.True(remote.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_client_refuses_a_port_where_no_daemon_listens()
    {
        var e = await Assert.ThrowsAsync<VirtException>(() =>
            VirtConnection.OpenAsync(RemoteSetup.ClientUri(RemoteSetup.FreePort(), _client.Path, _server.Thumbprint)));
        Assert.Equal(ErrorCode.Rpc, e.Code);
        Assert.Contains("virt.remote.tls = on", e.Message);
    }

    private static async Task<DomainLifecycleEvent> NextAsync(IAsyncEnumerator<DomainLifecycleEvent> events, TimeSpan timeout) =>
        await events.MoveNextAsync().AsTask().WaitAsync(timeout) ? events.Current : throw new InvalidOperationException("the event stream ended");

    private static async Task<DomainLifecycleEvent> NextOfTypeAsync(IAsyncEnumerator<DomainLifecycleEvent> events, DomainEventType type, TimeSpan timeout)
    {
        while (true)
        {
            var e = await NextAsync(events, timeout);
            if (e.Type == type)
                return e;
        }
    }
}
