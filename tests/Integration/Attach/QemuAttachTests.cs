using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Integration.Tests.Attach;

/// <summary>virsh qemu-attach against the real virtd: a QEMU started by hand, not by the daemon, comes under its control.</summary>
public sealed class QemuAttachTests : DaemonTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>The test guest by hand in the test's directory: image NAME.img, serial NAME.serial, monitor NAME.sock unless <paramref name="qmp"/> is false.</summary>
    private HandStartedQemu StartByHand(string name, Guid uuid, bool qmp = true)
    {
        var image = Path.Combine(Dir.Path, name + ".img");
        TestGuestImage.Write(image);
        return HandStartedQemu.Start(image, TestGuest.SerialPath(Dir.Path, name), qmp ? Path.Combine(Dir.Path, name + ".sock") : null,
            "-name", name, "-uuid", uuid.ToString("D"));
    }

    [Fact]
    public async Task A_hand_started_qemu_is_attached_listed_and_shut_down_through_virt()
    {
        var uuid = Guid.NewGuid();
        using var qemu = StartByHand("attached", uuid);
        await TestGuest.WaitReadyAsync(Dir.Path, "attached");
        await using var client = await ConnectAsync();
        await using var watcher = await ConnectAsync();
        var events = (await watcher.SubscribeEventsAsync()).GetAsyncEnumerator();

        var attached = await client.CallAsync<DomainSummary>(new AttachDomain(qemu.Pid));
        Assert.Equal(("attached", false, "running (unknown)"), (attached.Name.Value, attached.Persistent, attached.StateText));
        var vm = DomainRef.ByName("attached");
        var listed = Assert.Single(await client.ListAsync(ListDomainsFlags.Transient | ListDomainsFlags.Running));
        Assert.Equal((new DomainUuid(uuid), attached.Id), (listed.Uuid, listed.Id));
        var info = await client.GetInfoAsync(vm);
        Assert.Equal((16UL * 1024, 1, DomainState.Running), (info.MaxMemoryKiB, info.Vcpus, info.Domain.State));
        var xml = await client.GetXmlAsync(vm);
        Assert.Contains("<name>attached</name>", xml);
        Assert.Contains(uuid.ToString("D"), xml);
        Assert.Contains(qemu.Image, xml);

        await client.ShutdownAsync(vm);
        var seen = new List<string>();
        while (await events.MoveNextAsync().AsTask().WaitAsync(Wait))
        {
            seen.Add(events.Current.Display);
            if (events.Current.Type == DomainEventType.Stopped)
                break;
        }
        // No Started event: libvirt announces no lifecycle event for an attach.
        Assert.Equal(["Shutdown Finished after guest request", "Stopped Shutdown"], seen);
        await qemu.WaitForExitAsync(Wait);
        Assert.Empty(await client.ListAsync());
    }

    [Fact]
    public async Task An_attached_domain_survives_a_killed_daemon_and_can_be_destroyed()
    {
        using var qemu = StartByHand("kept", Guid.NewGuid());
        await TestGuest.WaitReadyAsync(Dir.Path, "kept");
        await using (var first = await ConnectAsync())
            await first.CallAsync<DomainSummary>(new AttachDomain(qemu.Pid));

        await RestartDaemonAsync(hard: true);
        Assert.False(qemu.HasExited);

        await using var client = await ConnectAsync();
        var listed = Assert.Single(await client.ListAsync());
        Assert.Equal(("kept", "running (unknown)", false), (listed.Name.Value, listed.StateText, listed.Persistent));
        Assert.Equal("shut off (destroyed)", (await client.DestroyAsync(DomainRef.ByName("kept"))).StateText);
        await qemu.WaitForExitAsync(Wait);
        Assert.Empty(await client.ListAsync());
    }

    [Fact]
    public async Task A_process_that_is_not_qemu_or_has_no_monitor_is_refused()
    {
        await using var client = await ConnectAsync();
        using var sleep = System.Diagnostics.Process.Start("sleep", "60");
        try
        {
            var notQemu = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync<DomainSummary>(new AttachDomain(sleep.Id)));
            Assert.Equal(ErrorCode.OperationInvalid, notQemu.Code);
        }
        finally
        {
            sleep.Kill();
            await sleep.WaitForExitAsync();
        }

        using var blind = StartByHand("blind", Guid.NewGuid(), qmp: false);
        await TestGuest.WaitReadyAsync(Dir.Path, "blind");
        var noMonitor = await Assert.ThrowsAsync<VirtException>(() => client.CallAsync<DomainSummary>(new AttachDomain(blind.Pid)));
        Assert.Equal(ErrorCode.OperationInvalid, noMonitor.Code);
        Assert.Contains("-qmp", noMonitor.Message);
        Assert.Empty(await client.ListAsync());
        Assert.False(blind.HasExited);
    }
}
