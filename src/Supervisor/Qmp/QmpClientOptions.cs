namespace Virt.Supervisor.Qmp;

/// <summary>Timeouts, limits and callbacks of one <see cref="QmpClient"/>.</summary>
public sealed record QmpClientOptions
{
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Called on the reader loop for every event; must not block.</summary>
    public Action<QmpEvent>? OnEvent { get; init; }
    /// <summary>Called once when the connection ends (null = clean EOF or local close, else the error).</summary>
    public Action<Exception?>? OnClosed { get; init; }
    /// <summary>Largest single message accepted; a longer one ends the connection instead of eating memory.</summary>
    public int MaxMessageBytes { get; init; } = 64 * 1024 * 1024;
    /// <summary>Events kept for <see cref="QmpClient.ReadEventsAsync"/>; past this the oldest are dropped.</summary>
    public int EventBufferCapacity { get; init; } = 4096;
}
