using System.Text.Json;
using System.Threading.Channels;
using Virt.Cli.Output;
using Virt.Protocol.Api;
using Virt.Protocol.Events;

namespace Virt.Cli.Tests;

/// <summary>`virt event` lines and its one-shot, loop, timeout and interrupt endings.</summary>
public sealed class EventOutputTests
{
    private static readonly DomainUuid Uuid = DomainUuid.Parse("11111111-2222-3333-4444-555555555555");
    private static readonly DomainLifecycleEvent Booted = DomainLifecycleEvent.Started(new DomainName("vm1"), Uuid, StartedDetail.Booted);
    private static readonly DomainLifecycleEvent Destroyed = DomainLifecycleEvent.Stopped(new DomainName("vm1"), Uuid, StoppedDetail.Destroyed);
    private static readonly DateTimeOffset At = new(2026, 11, 23, 10, 0, 0, 123, TimeSpan.Zero);

    [Fact]
    public void A_line_is_virsh_lifecycle_line()
    {
        Assert.Equal("event 'lifecycle' for domain 'vm1': Started Booted\n", EventText.Line(Booted, null));
        Assert.Equal("event 'lifecycle' for domain 'vm1': Stopped Destroyed\n", EventText.Line(Destroyed, null));
    }

    [Fact]
    public void Reboot_and_device_events_have_virshs_lines_and_their_own_json()
    {
        var uuid = Booted.Uuid;
        Assert.Equal("event 'reboot' for domain 'vm1'\n", EventText.Line((object)new DomainRebootEvent(Booted.Name, uuid), null));
        Assert.Equal("event 'device-added' for domain 'vm1': virtio-disk1\n", EventText.Line((object)new DomainDeviceEvent(Booted.Name, uuid, "virtio-disk1", Added: true), null));
        Assert.Equal("event 'device-removed' for domain 'vm1': virtio-disk1\n", EventText.Line((object)new DomainDeviceEvent(Booted.Name, uuid, "virtio-disk1", Added: false), null));
        Assert.Contains("\"event\":\"device-added\"", EventText.JsonLine((object)new DomainDeviceEvent(Booted.Name, uuid, "virtio-disk1", Added: true), At));
        Assert.Contains("\"alias\":\"virtio-disk1\"", EventText.JsonLine((object)new DomainDeviceEvent(Booted.Name, uuid, "virtio-disk1", Added: true), At));
    }

    [Fact]
    public void A_timestamp_is_libvirt_raw_utc_form_before_the_line()
    {
        Assert.Equal("2026-11-23 10:00:00.123+0000: event 'lifecycle' for domain 'vm1': Started Booted\n", EventText.Line(Booted, At));
        // Another offset is printed in UTC, as libvirt always does.
        Assert.Equal("2026-11-23 10:00:00.123+0000", EventText.Timestamp(At.ToOffset(TimeSpan.FromHours(2))));
    }

    [Fact]
    public void A_json_line_is_one_compact_object()
    {
        var line = EventText.JsonLine(Destroyed, At);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("vm1", doc.RootElement.GetProperty("domain").GetString());
        Assert.Equal("Stopped", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal("Destroyed", doc.RootElement.GetProperty("detail").GetString());
        Assert.Equal("2026-11-23 10:00:00.123+0000", doc.RootElement.GetProperty("timestamp").GetString());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task Without_loop_the_first_event_ends_the_wait()
    {
        var events = Channel.CreateUnbounded<DomainLifecycleEvent>();
        events.Writer.TryWrite(Booted);
        events.Writer.TryWrite(Destroyed);
        var output = new StringWriter();

        var result = await EventLoop.RunAsync(events.Reader.ReadAllAsync(), new EventLoopOptions(false, true, false), output,
            new FixedClock(At), CancellationToken.None, CancellationToken.None);

        Assert.Equal(new EventLoopResult(1, EventLoopEnd.Done), result);
        Assert.Equal("2026-11-23 10:00:00.123+0000: event 'lifecycle' for domain 'vm1': Started Booted\nevents received: 1\n", output.ToString());
    }

    [Fact]
    public async Task With_loop_events_print_until_the_timeout_then_the_count()
    {
        var events = Channel.CreateUnbounded<DomainLifecycleEvent>();
        var output = new StringWriter();
        using var timeout = new CancellationTokenSource();
        var loop = EventLoop.RunAsync(events.Reader.ReadAllAsync(), new EventLoopOptions(true, false, false), output,
            TimeProvider.System, timeout.Token, CancellationToken.None);

        await events.Writer.WriteAsync(Booted);
        await events.Writer.WriteAsync(Destroyed);
        // Wait until the reader has taken both, then let the timeout fire.
        while (events.Reader.Count > 0)
            await Task.Yield();
        await timeout.CancelAsync();
        var result = await loop;

        Assert.Equal(EventLoopEnd.TimedOut, result.End);
        Assert.Equal(
            "event 'lifecycle' for domain 'vm1': Started Booted\n" +
            "event 'lifecycle' for domain 'vm1': Stopped Destroyed\n" +
            "event loop timed out\n" +
            "events received: 2\n",
            output.ToString());
    }

    [Fact]
    public async Task An_interrupt_with_no_event_reports_zero_received()
    {
        var events = Channel.CreateUnbounded<DomainLifecycleEvent>();
        var output = new StringWriter();
        using var interrupt = new CancellationTokenSource();
        await interrupt.CancelAsync();

        var result = await EventLoop.RunAsync(events.Reader.ReadAllAsync(), new EventLoopOptions(true, false, false), output,
            TimeProvider.System, CancellationToken.None, interrupt.Token);

        Assert.Equal(new EventLoopResult(0, EventLoopEnd.Interrupted), result);
        Assert.Equal("event loop interrupted\nevents received: 0\n", output.ToString());
    }

    [Fact]
    public async Task A_stream_that_ends_means_the_connection_closed()
    {
        var events = Channel.CreateUnbounded<DomainLifecycleEvent>();
        events.Writer.TryWrite(Booted);
        events.Writer.Complete();
        var output = new StringWriter();

        var result = await EventLoop.RunAsync(events.Reader.ReadAllAsync(), new EventLoopOptions(true, false, true), output,
            TimeProvider.System, CancellationToken.None, CancellationToken.None);

        Assert.Equal(new EventLoopResult(1, EventLoopEnd.ConnectionClosed), result);
        // JSON mode prints only the event objects, no summary lines.
        using var doc = JsonDocument.Parse(output.ToString());
        Assert.Equal("Started", doc.RootElement.GetProperty("type").GetString());
    }
}
