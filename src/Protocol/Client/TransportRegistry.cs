using System.Diagnostics.CodeAnalysis;
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

    /// <summary>The AppContext switch that leaves Akka.Remote out: off in the native `virt`, where Akka.NET cannot go.</summary>
    public const string RemoteSwitch = "Virt.Protocol.RemoteTransport.IsSupported";

    private static readonly Dictionary<RuntimeMode, Factory> Factories = new()
    {
        [RuntimeMode.Session] = SocketTransport.OpenAsync,
        [RuntimeMode.System] = SocketTransport.OpenAsync,
    };

    private static readonly Lock Guard = new();

    static TransportRegistry()
    {
        // A constant false in a trimmed build with the switch off, so the AOT compiler drops Akka.Remote entirely.
        if (IsRemoteSupported)
            Factories[RuntimeMode.Remote] = Remote.RemoteTransport.OpenAsync;
    }

    /// <summary>Whether this program carries the Akka.Remote transport (on unless the switch says otherwise).</summary>
    [FeatureSwitchDefinition(RemoteSwitch)]
    public static bool IsRemoteSupported => !AppContext.TryGetSwitch(RemoteSwitch, out var on) || on;

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
