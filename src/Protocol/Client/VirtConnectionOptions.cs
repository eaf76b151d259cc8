namespace Virt.Protocol.Client;

/// <summary>Client-side settings of a connection.</summary>
public sealed record VirtConnectionOptions
{
    /// <summary>How long one call may take before the client gives up on it.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Overrides the socket path the URI implies (tests, private daemon trees).</summary>
    public string? SocketPath { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>
    /// How long a connect keeps trying while the daemon's socket is missing or refuses (the moments of a daemon
    /// restart without systemd's socket activation); a daemon that is not running at all is reported after this.
    /// </summary>
    public TimeSpan RestartWait { get; init; } = TimeSpan.FromSeconds(1.5);
}
