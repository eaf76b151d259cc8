using Virt.Protocol.Client;
using Virt.Protocol.Connection;

namespace Virt.Host.Embedded;

/// <summary>Makes qemu:///embed?root=DIR URIs open an in-process runtime in this program.</summary>
public static class EmbeddedRuntime
{
    public static void Register() => TransportRegistry.Register(RuntimeMode.Embed, EmbeddedTransport.OpenAsync);
}
