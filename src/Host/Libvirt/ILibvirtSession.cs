using Virt.Host.Sockets;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;

namespace Virt.Host.Libvirt;

/// <summary>The daemon's side of one libvirt client: answers each call with a whole reply packet.</summary>
public interface ILibvirtSession : IAsyncDisposable
{
    Task<byte[]> CallAsync(LibvirtPacket call, CancellationToken ct);
}

/// <summary>Where a libvirt session pushes its event packets.</summary>
public interface ILibvirtOutput
{
    /// <summary>Queues a packet; false when the client has stopped reading and was disconnected.</summary>
    bool TryPush(byte[] packet);

    void Close(VirtException reason);
}

/// <summary>Opens a session per libvirt client.</summary>
public interface ILibvirtSessionFactory
{
    ILibvirtSession Open(ClientIdentity client, ILibvirtOutput output);
}
