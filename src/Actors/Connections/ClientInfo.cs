namespace Virt.Actors.Connections;

/// <summary>Who is on the other end of a connection, as the transport saw them (SO_PEERCRED on a UNIX socket).</summary>
public sealed record ClientInfo(uint Uid, int Pid, bool ReadOnly, string Transport)
{
    /// <summary>Hears only this node's domains' events in a cluster (libvirt's clients, which list only this node's domains).</summary>
    public bool LocalEventsOnly { get; init; }

    public override string ToString() => $"uid {Uid}, pid {Pid}, {(ReadOnly ? "read-only" : "read-write")} over {Transport}";
}
