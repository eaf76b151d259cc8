using Virt.Protocol.Events;

namespace Virt.Cli.Output;

/// <summary>How `virt event` prints: one-shot or loop, with timestamps, as text or JSON lines.</summary>
internal sealed record EventLoopOptions(bool Loop, bool Timestamp, bool Json);

/// <summary>Why the event loop ended, virsh's three cases.</summary>
internal enum EventLoopEnd { Done, TimedOut, Interrupted, ConnectionClosed }

/// <summary>What the loop printed and why it stopped.</summary>
internal sealed record EventLoopResult(int Count, EventLoopEnd End);

/// <summary>virsh event's loop: print events until the first one (or, with --loop, until timeout or interrupt), then the count.</summary>
internal static class EventLoop
{
    /// <returns>How many events were printed (virsh fails when none were) and why the loop ended.</returns>
    public static async Task<EventLoopResult> RunAsync(
        IAsyncEnumerable<object> events,
        EventLoopOptions options,
        TextWriter output,
        TimeProvider clock,
        CancellationToken timeout,
        CancellationToken interrupt)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout, interrupt);
        var count = 0;
        // The stream only ends on its own when the connection to the runtime is gone.
        var end = EventLoopEnd.ConnectionClosed;
        try
        {
            await foreach (var e in events.WithCancellation(stop.Token))
            {
                DateTimeOffset? at = options.Timestamp ? clock.GetUtcNow() : null;
                await output.WriteAsync(options.Json ? EventText.JsonLine(e, at) : EventText.Line(e, at));
                await output.FlushAsync(CancellationToken.None);
                count++;
                if (!options.Loop)
                {
                    end = EventLoopEnd.Done;
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            end = interrupt.IsCancellationRequested ? EventLoopEnd.Interrupted : EventLoopEnd.TimedOut;
        }

        if (!options.Json)
        {
            if (end == EventLoopEnd.TimedOut)
                await output.WriteAsync("event loop timed out\n");
            else if (end == EventLoopEnd.Interrupted)
                await output.WriteAsync("event loop interrupted\n");
            await output.WriteAsync($"events received: {count}\n");
        }
        return new EventLoopResult(count, end);
    }
}
