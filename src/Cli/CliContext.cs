using Virt.Protocol.Client;
using Virt.Protocol.Connection;

namespace Virt.Cli;

/// <summary>What a command needs from the outside world: its writers, the environment, a way to connect and a clock.</summary>
internal sealed record CliContext(
    TextWriter Out,
    TextWriter Error,
    Func<string, string?> Environment,
    Func<VirtUri, CancellationToken, Task<VirtConnection>> Connect,
    TimeProvider Clock)
{
    /// <summary>The real process: console writers, process environment, the transport registry, the system clock.</summary>
    public static CliContext FromProcess() => new(
        Console.Out,
        Console.Error,
        System.Environment.GetEnvironmentVariable,
        (uri, ct) => VirtConnection.OpenAsync(uri, null, ct),
        TimeProvider.System);
}
