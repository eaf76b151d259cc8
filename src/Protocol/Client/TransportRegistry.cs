using Virt.Protocol.Connection;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Client;

/// <summary>
/// Picks a transport by URI mode. Protocol registers the socket and Akka.Remote transports itself; the host registers
/// the embedded one, so this library never references the runtime.
/// </summary>
public static class TransportRegistry
{
    public delegate Task<IVirtTransport> Factory(VirtUri uri, VirtConnectionOptions options, CancellationToken ct);

    private static readonly Dictionary<RuntimeMode, Factory> Factories = new()
    {
        [RuntimeMode.Session] = SocketTransport.OpenAsync,
        [RuntimeMode.System] = SocketTransport.OpenAsync,
        [RuntimeMode.Remote] = Remote.RemoteTransport.OpenAsync,
    };

    private static readonly Lock Guard = new();

    public static void Register(RuntimeMode mode, Factory factory)
    {
        lock (Guard)
            Factories[mode] = factory;
    }

    public static Task<IVirtTransport> OpenAsync(VirtUri uri, VirtConnectionOptions options, CancellationToken ct)
    {
        Factory? factory;
        lock (Guard)
            Factories.TryGetValue(uri.Mode, out factory);
        return factory is null
            ? throw new VirtException(ErrorCode.OperationInvalid, uri.Mode switch
            {
                RuntimeMode.Embed => $"{uri}: embedded runtimes are provided by the Virt host library (reference Virt.Host and call EmbeddedRuntime.Register())",
                RuntimeMode.Remote => $"{uri}: the Akka.Remote transport is not registered in this program",
                _ => $"{uri}: no transport for this URI",
            })
            : factory(uri, options, ct);
    }
}
