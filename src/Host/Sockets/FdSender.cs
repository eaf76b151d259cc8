using System.Net.Sockets;
using System.Runtime.InteropServices;
using Virt.Supervisor.Native;

namespace Virt.Host.Sockets;

/// <summary>
/// Passes descriptors after a frame as libvirt's virNetSocketSendFD does: each in its own sendmsg, on one dummy 0x00
/// byte that no length counts (the client's virNetSocketRecvFD reads exactly that byte).
/// </summary>
internal static class FdSender
{
    private static readonly byte[] Dummy = [0];

    public static async Task SendAsync(Socket socket, IReadOnlyList<SafeHandle>? fds, CancellationToken ct)
    {
        foreach (var fd in fds ?? [])
            await FdPassing.SendAsync(socket, Dummy, fd, ct).ConfigureAwait(false);
    }
}
