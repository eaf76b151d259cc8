namespace Virt.Host.Sockets;

/// <summary>Limits and access rules of one listening socket.</summary>
public sealed record SocketServerOptions
{
    public required string Path { get; init; }
    /// <summary>File mode of the socket: 0600 for read-write, 0666 for the read-only socket.</summary>
    public UnixFileMode Mode { get; init; } = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public bool ReadOnly { get; init; }
    /// <summary>Only this uid may connect (a session daemon); null lets the file mode decide.</summary>
    public uint? AllowedUid { get; init; }
    public int MaxClients { get; init; } = 256;
    public int MaxCallsInFlight { get; init; } = 64;
    public int MaxFrameBytes { get; init; } = Virt.Protocol.Wire.FrameCodec.DefaultMaxFrameBytes;
    /// <summary>Events queued for a client that is not reading before it is disconnected.</summary>
    public int MaxQueuedEvents { get; init; } = 1024;
    /// <summary>Bytes of replies and events queued for a client that is not reading before it is disconnected.</summary>
    public long MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;
    /// <summary>Connections one uid may hold on a socket several uids share; null for no limit (a session's socket).</summary>
    public int? MaxClientsPerUid { get; init; }
    /// <summary>How long the writer may have nothing to send before it sends a heartbeat (the client's keepalive).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = Virt.Protocol.Wire.Keepalive.Interval;
    /// <summary>A client that sends no whole call this long after connecting is closed.</summary>
    public TimeSpan FirstCallTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
