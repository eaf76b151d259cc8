using Virt.Host.Sockets;

namespace Virt.Host.Configuration;

/// <summary>What the daemon does with running VMs when it stops (SIGTERM/SIGINT).</summary>
public enum DaemonStopPolicy { LeaveRunning, Shutdown, Destroy }

/// <summary>Daemon-level settings (sockets, stop policy, remoting); code defaults here, config.hocon overrides.</summary>
public sealed record HostSettings
{
    public int MaxClients { get; init; } = 256;
    public int MaxCallsInFlight { get; init; } = 64;
    public int MaxFrameBytes { get; init; } = Virt.Protocol.Wire.FrameCodec.DefaultMaxFrameBytes;
    public int MaxQueuedEvents { get; init; } = 1024;
    public long MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;
    /// <summary>On the system sockets, which every local user may reach: connections one uid may hold on each.</summary>
    public int MaxClientsPerUid { get; init; } = 32;
    public TimeSpan FirstCallTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How long one call may take inside the daemon before the client gets OPERATION_TIMEOUT.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(120);
    public DaemonStopPolicy OnStop { get; init; } = DaemonStopPolicy.LeaveRunning;
    /// <summary>With <see cref="DaemonStopPolicy.Shutdown"/>: how long guests get before they are destroyed.</summary>
    public TimeSpan OnStopShutdownTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public RemoteSettings Remote { get; init; } = new();
    public Actors.Cluster.ClusterSettings Cluster { get; init; } = new();

    public SocketServerOptions SocketOptions(string path, bool readOnly, UnixFileMode mode, uint? allowedUid) => new()
    {
        Path = path,
        ReadOnly = readOnly,
        Mode = mode,
        AllowedUid = allowedUid,
        MaxClients = MaxClients,
        MaxCallsInFlight = MaxCallsInFlight,
        MaxFrameBytes = MaxFrameBytes,
        MaxQueuedEvents = MaxQueuedEvents,
        MaxQueuedBytes = MaxQueuedBytes,
        MaxClientsPerUid = allowedUid is null ? MaxClientsPerUid : null,
        FirstCallTimeout = FirstCallTimeout,
    };
}

/// <summary>The Akka.Remote endpoint: off by default, loopback by default, TLS for any other address.</summary>
public sealed record RemoteSettings
{
    public bool Enabled { get; init; }
    public string Hostname { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 4053;
    public bool Tls { get; init; }
    /// <summary>With TLS: the daemon's PKCS#12 certificate file (with its key); its password comes from $VIRT_TLS_PASSWORD.</summary>
    public string Certificate { get; init; } = "";
    /// <summary>With TLS: SHA-1 thumbprints of the client certificates the daemon accepts.</summary>
    public IReadOnlyList<string> TrustedThumbprints { get; init; } = [];
}
