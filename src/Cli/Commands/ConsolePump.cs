using Virt.Protocol.Client;
using Virt.Protocol.Errors;

namespace Virt.Cli.Commands;

/// <summary>Moves a console's bytes between the user and the session until ^], the end of stdin, or the session's end.</summary>
internal static class ConsolePump
{
    /// <summary>Returns at ^] or when the session ended cleanly (the guest's side closed); throws why it ended otherwise.</summary>
    public static async Task RunAsync(IConsoleChannel console, Stream input, Stream output, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var fromGuest = CopyOutputAsync(console, output, stop.Token);
        var fromUser = CopyInputAsync(console, input, stop.Token);
        var first = await Task.WhenAny(fromGuest, fromUser).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await first.ConfigureAwait(false); // the session's end reason, or stdin's
    }

    private static async Task CopyOutputAsync(IConsoleChannel console, Stream output, CancellationToken ct)
    {
        await foreach (var data in console.Output.ReadAllAsync(ct).ConfigureAwait(false))
        {
            await output.WriteAsync(data, ct).ConfigureAwait(false);
            await output.FlushAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task CopyInputAsync(IConsoleChannel console, Stream input, CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (true)
        {
            // A read of stdin cannot be cancelled; a detach from the other side leaves it to the process's exit.
            var n = await input.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
                throw new VirtException(ErrorCode.InternalError, "EOF on stdin");
            var escape = Array.IndexOf(buffer, ConsoleCommand.EscapeByte, 0, n);
            var typed = escape < 0 ? n : escape;
            if (typed > 0)
                await console.WriteAsync(buffer.AsMemory(0, typed), ct).ConfigureAwait(false);
            if (escape >= 0)
                return;
        }
    }
}
