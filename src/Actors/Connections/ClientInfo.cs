namespace Virt.Actors.Connections;

/// <summary>Who is on the other end of a connection, as the transport saw them (SO_PEERCRED on a UNIX socket).</summary>
public sealed record ClientInfo(uint Uid, int Pid, bool ReadOnly, string Transport)
{
    public override string ToString() => $"uid {Uid}, pid {Pid}, {(ReadOnly ? "read-only" : "read-write")} over {Transport}";
}
