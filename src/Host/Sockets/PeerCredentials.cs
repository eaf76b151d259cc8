using System.Buffers.Binary;
using System.Net.Sockets;

namespace Virt.Host.Sockets;

/// <summary>Reads the kernel's record of the peer process of a connected UNIX socket.</summary>
public static class PeerCredentials
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    public static (int Pid, uint Uid, uint Gid) Get(Socket socket)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        Span<byte> ucred = stackalloc byte[12];
        var length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12)
            throw new InvalidOperationException("SO_PEERCRED returned a short record");
        return (BinaryPrimitives.ReadInt32LittleEndian(ucred),
                BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
                BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
    }
}
