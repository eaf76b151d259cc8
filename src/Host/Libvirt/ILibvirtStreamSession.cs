using Virt.Protocol.Api;
using Virt.Protocol.Libvirt;

namespace Virt.Host.Libvirt;

/// <summary>A libvirt session some of whose calls open a stream (DOMAIN_OPEN_CONSOLE) that follows their reply.</summary>
public interface ILibvirtStreamSession
{
    bool OpensStream(LibvirtHeader call);

    /// <summary>The whole reply packet, and the stream when the call succeeded.</summary>
    Task<(byte[] Reply, IConsoleStream? Stream)> OpenStreamAsync(LibvirtPacket call, CancellationToken ct);
}
