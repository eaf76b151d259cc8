namespace Virt.Host.Sockets;

/// <summary>Who is on the other end of a socket, from SO_PEERCRED, and what it may do.</summary>
public sealed record ClientIdentity(int Pid, uint Uid, uint Gid, bool ReadOnly, string Transport);
