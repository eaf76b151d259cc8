namespace Virt.Protocol.Wire;

/// <summary>
/// Keepalive of the framed protocol: the daemon sends a heartbeat event to a client it has sent nothing for
/// <see cref="Interval"/>, from its writer, which backpressure on reading never stops; a client waiting for a reply or
/// for events that hears nothing for <see cref="Timeout"/> gives the daemon up as stopped or hung.
/// </summary>
public static class Keepalive
{
    public const string HeartbeatProcedure = "connection.heartbeat";

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(6);
}
