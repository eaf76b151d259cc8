using Virt.Protocol.Client;
using Virt.Protocol.Connection;

namespace Virt.Cli;

/// <summary>
/// What a command needs from the outside world: its writers, the environment, a way to connect, a clock, and a reader
/// of one answer key (a question's y/n; -1 at the end of input).
/// </summary>
internal sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> Environment,
    Func<VirtUri, CancellationToken, Task<VirtConnection>> Connect,
    TimeProvider Clock,
    Func<int>? ReadKey = null)
{
    /// <summary>The real process: console writers, process environment, the transport registry, the system clock.</summary>
    public static CliContext FromProcess() => new(
        Console.Out,
        Console.Error,
        System.Environment.GetEnvironmentVariable,
        (uri, ct) => VirtConnection.OpenAsync(uri, null, ct),
        TimeProvider.System,
        ReadKeyFromStdin);

    /// <summary>A terminal answers with one key press, not echoed (as virsh reads it raw); a pipe with its next character.</summary>
    private static int ReadKeyFromStdin() => Console.IsInputRedirected ? Console.In.Read() : Console.ReadKey(intercept: true).KeyChar;
}
