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
    /// <summary>
    /// stdin as bytes, for a console session: fd 0 itself, since .NET's console stream reads a terminal through its own
    /// line editor, which would hold keystrokes until Enter.
    /// </summary>
    public Func<Stream> OpenInput { get; init; } = () => new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1);

    /// <summary>stdout as bytes, for a console session: the guest's output as it came.</summary>
    public Func<Stream> OpenOutput { get; init; } = Console.OpenStandardOutput;

    /// <summary>Whether stdin is a terminal, which a console puts in raw mode while it runs.</summary>
    public Func<bool> InputIsTerminal { get; init; } = () => Supervisor.Consoles.RawTerminal.IsTerminal(0);

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
