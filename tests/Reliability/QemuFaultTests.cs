using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.TestSupport;

namespace Virt.Reliability.Tests;

/// <summary>QEMU killed or frozen under a running daemon: the state, the event and the error a user sees.</summary>
public sealed class QemuFaultTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new("vq");
    private DaemonProcess _daemon = null!;
    private VirtConnection _client = null!;

    public async Task InitializeAsync()
    {
        var config = _dir.Combine("fast.hocon");
        await File.WriteAllTextAsync(config, "virt { qmp-timeout = 2s, kill-timeout = 3s, job-wait = 5s }\n");
        _daemon = await DaemonProcess.StartAsync(_dir.Combine("root"), "--config", config);
        _client = await VirtConnection.OpenAsync("qemu:///session",
            new VirtConnectionOptions { SocketPath = _daemon.SocketPath, CallTimeout = TimeSpan.FromSeconds(60) });
    }

    private async Task<int> StartGuestAsync(string name)
    {
        await _client.DefineAsync(TestGuest.Xml(_dir.Path, name));
        await _client.StartAsync(DomainRef.ByName(name));
        return Assert.Single(QemuReaper.FindUnder(_dir.Path));
    }

    [Fact]
    public async Task Qemu_kill_9_gives_shutoff_crashed_and_a_stopped_failed_event_without_asking()
    {
        var events = (await _client.SubscribeEventsAsync()).GetAsyncEnumerator();
        var pid = await StartGuestAsync("victim");

        Process.GetProcessById(pid).Kill();

        DomainLifecycleEvent? stopped = null;
        while (await events.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            if (events.Current.Type == DomainEventType.Stopped)
            {
                stopped = events.Current;
                break;
            }
        }
        Assert.Equal(LibvirtLifecycle.QemuKilled, new[] { stopped?.Display });
        Assert.Equal("shut off (crashed)", (await _client.LookupAsync(DomainRef.ByName("victim"))).StateText);
    }

    [Fact]
    public async Task A_frozen_qemu_times_out_a_monitor_call_with_a_clear_error_and_destroy_still_ends_it()
    {
        var pid = await StartGuestAsync("frozen");
        var vm = DomainRef.ByName("frozen");
        Assert.Equal(0, kill(pid, SigStop));
        try
        {
            var error = await Assert.ThrowsAsync<VirtException>(() => _client.SuspendAsync(vm));
            Assert.Equal(ErrorCode.OperationTimeout, error.Code);
            Assert.Contains("stop", error.Message, StringComparison.OrdinalIgnoreCase);

            // The job lock was released: the next monitor call gets its own timeout, not "busy with" the first.
            Assert.Equal(DomainState.Running, (await _client.LookupAsync(vm)).State);
            var again = await Assert.ThrowsAsync<VirtException>(() => _client.SuspendAsync(vm));
            Assert.Equal(ErrorCode.OperationTimeout, again.Code);
            Assert.DoesNotContain("busy", again.Message, StringComparison.OrdinalIgnoreCase);

            Assert.Equal("shut off (destroyed)", (await _client.DestroyAsync(vm)).StateText);
            Assert.Empty(QemuReaper.FindUnder(_dir.Path));
        }
        finally
        {
            _ = kill(pid, SigCont);
        }
    }

    private const int SigStop = 19;
    private const int SigCont = 18;

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int sig);

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _daemon.DisposeAsync();
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }
}
