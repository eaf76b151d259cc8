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
}
