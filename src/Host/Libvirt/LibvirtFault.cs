using Virt.Protocol.Libvirt;

namespace Virt.Host.Libvirt;

/// <summary>A failure with libvirt's own code, domain and message (invalid argument, unsupported, not open).</summary>
internal sealed class LibvirtFault(LibvirtError error) : Exception(error.Message)
{
    public LibvirtError Error { get; } = error;
}
