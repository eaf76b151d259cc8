using System.Runtime.InteropServices;
using Virt.Protocol.Libvirt;

namespace Virt.Host.Libvirt;

/// <summary>A libvirt session some of whose calls answer with descriptors that follow their reply (REPLY_WITH_FDS).</summary>
public interface ILibvirtFdSession
{
    bool PassesFds(LibvirtHeader call);

    /// <summary>The whole reply packet and the descriptors to pass after it (none with an error reply); the caller owns them.</summary>
    Task<(byte[] Reply, IReadOnlyList<SafeHandle> Fds)> CallWithFdsAsync(LibvirtPacket call, CancellationToken ct);
}
