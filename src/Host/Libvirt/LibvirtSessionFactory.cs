using Virt.Host.Runtime;
using Virt.Host.Sockets;

namespace Virt.Host.Libvirt;

/// <summary>Serves libvirt's remote protocol on the daemon's sockets: one <see cref="LibvirtSession"/> per client.</summary>
/// <param name="uri">What CONNECT_GET_URI reports when the client's open named none: qemu:///session or qemu:///system.</param>
public sealed class LibvirtSessionFactory(VirtRuntime runtime, string uri) : ILibvirtSessionFactory
{
    public ILibvirtSession Open(ClientIdentity client, ILibvirtOutput output) => new LibvirtSession(runtime, client, output, uri);
}
