using Virt.TestSupport;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;

namespace Virt.Integration.Tests;

/// <summary>The real virtd, the real QEMU and the test guest, over the real socket.</summary>
public sealed class DaemonLifecycleTests : DaemonTestBase
{
    [Fact]
    public async Task Define_start_and_graceful_shutdown_report_libvirt_states_and_events()
    {
        await using var client = await ConnectAsync();
        await using var watcher = await ConnectAsync();
        var events = (await watcher.SubscribeEventsAsync()).GetAsyncEnumerator();

        var defined = await client.DefineAsync(TestGuest.Xml(Dir.Path, "vm1"));
        Assert.Equal((DomainState.Shutoff, true), (defined.State, defined.Persistent));
        var vm = DomainRef.ByName("vm1");

        var started = await client.StartAsync(vm);
        Assert.Equal(DomainState.Running, started.State);
        Assert.NotNull(started.Id);
        Assert.Equal("running (booted)", (await client.LookupAsync(vm)).StateText);
        await TestGuest.WaitReadyAsync(Dir.Path, "vm1");

        await client.ShutdownAsync(vm);
        var seen = new List<string>();
        while (await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : throw new TimeoutException("seen: " + string.Join(", ", seen) + "\n" + Daemon.Output)))
        {
            seen.Add(events.Current.Display);
            if (events.Current.Type == DomainEventType.Stopped)
                break;
        }
        Assert.Equal(["Defined Added", .. LibvirtLifecycle.Start, .. LibvirtLifecycle.GuestShutdown], seen);
        var after = await client.LookupAsync(vm);
        Assert.Equal("shut off (shutdown)", after.StateText);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task Destroy_suspend_and_resume_change_state_at_once()
    {
        await using var client = await ConnectAsync();
        await client.DefineAsync(TestGuest.Xml(Dir.Path, "vm2"));
        var vm = DomainRef.ByName("vm2");
        await client.StartAsync(vm);

        Assert.Equal("paused (user)", (await client.SuspendAsync(vm)).StateText);
        Assert.Equal("running (unpaused)", (await client.ResumeAsync(vm)).StateText);
        var info = await client.GetInfoAsync(vm);
        Assert.Equal((16UL * 1024, 1), (info.MaxMemoryKiB, info.Vcpus));

        Assert.Equal("shut off (destroyed)", (await client.DestroyAsync(vm)).StateText);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task Errors_come_back_with_libvirt_codes_and_lose_nothing()
    {
        await using var client = await ConnectAsync();
        var missing = await Assert.ThrowsAsync<VirtException>(() => client.StartAsync(DomainRef.ByName("ghost")));
        Assert.Equal(ErrorCode.NoDomain, missing.Code);

        var bad = await Assert.ThrowsAsync<VirtException>(() => client.DefineAsync("<domain type='qemu'><name>x</name>"));
        Assert.Equal(ErrorCode.XmlError, bad.Code);

        await client.DefineAsync(TestGuest.Xml(Dir.Path, "vm3"));
        var clash = await Assert.ThrowsAsync<VirtException>(() => client.DefineAsync(TestGuest.Xml(Dir.Path, "vm3")));
        Assert.Equal(ErrorCode.DomainExists, clash.Code);
        Assert.Single(await client.ListAsync());
    }

    [Fact]
    public async Task An_autodestroy_domain_dies_with_the_client_that_started_it()
    {
        await using var keeper = await ConnectAsync();
        await keeper.DefineAsync(TestGuest.Xml(Dir.Path, "owned"));
        var owner = await ConnectAsync();
        await owner.StartAsync(DomainRef.ByName("owned"), DomainCreateFlags.Autodestroy);
        Assert.Single(QemuReaper.FindUnder(Dir.Path));

        await owner.DisposeAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await keeper.LookupAsync(DomainRef.ByName("owned"))).Active && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        Assert.Equal("shut off (destroyed)", (await keeper.LookupAsync(DomainRef.ByName("owned"))).StateText);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task After_kill_9_of_the_daemon_a_new_one_reconnects_to_the_running_vm()
    {
        var client = await ConnectAsync();
        await client.DefineAsync(TestGuest.Xml(Dir.Path, "survivor"));
        var started = await client.StartAsync(DomainRef.ByName("survivor"));
        var qemu = Assert.Single(QemuReaper.FindUnder(Dir.Path));

        await RestartDaemonAsync(hard: true);
        Assert.Equal([qemu], QemuReaper.FindUnder(Dir.Path));

        await using var again = await ConnectAsync();
        var found = await again.LookupAsync(DomainRef.ByName("survivor"));
        Assert.Equal((started.Id, "running (booted)"), (found.Id, found.StateText));

        await TestGuest.WaitReadyAsync(Dir.Path, "survivor");
        var events = (await again.SubscribeEventsAsync()).GetAsyncEnumerator();
        await again.ShutdownAsync(DomainRef.ByName("survivor"));
        DomainLifecycleEvent? stopped = null;
        while (await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60)))
        {
            if (events.Current.Type == DomainEventType.Stopped)
            {
                stopped = events.Current;
                break;
            }
        }
        Assert.Equal("Stopped Shutdown", stopped?.Display);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));
    }

    [Fact]
    public async Task A_client_connecting_while_the_daemon_restarts_waits_for_it_instead_of_failing()
    {
        var socket = Daemon.SocketPath;
        await Daemon.DisposeAsync(); // stopped: the socket is gone until the next daemon binds it
        Assert.False(File.Exists(socket));
        var options = new VirtConnectionOptions { SocketPath = socket, RestartWait = TimeSpan.FromSeconds(30) };
        var connecting = VirtConnection.OpenAsync("qemu:///session", options);
        await Task.Delay(200);
        Assert.False(connecting.IsCompleted, "the connect gave up while no daemon was there");
        await RestartDaemonAsync(hard: false);
        await using var client = await connecting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotNull(await client.ListAsync());

        // Without a daemon to wait for, the error still comes, after the wait.
        var none = Dir.Combine("nobody.sock");
        var error = await Assert.ThrowsAsync<VirtException>(() => VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = none, RestartWait = TimeSpan.FromMilliseconds(100) }));
        Assert.Contains("is virtd running?", error.Message);
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_tree_refuses_to_start_and_says_why()
    {
        await using var second = DaemonProcess.Launch(Dir.Combine("root"));
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("another virtd already serves this tree", second.Output);
        await using var client = await ConnectAsync();
        Assert.Empty(await client.ListAsync());
    }
}
