using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Layout;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Network;

/// <summary>
/// The taps of one start: one per bridge or network interface, plugged into its bridge before QEMU runs and handed
/// to QEMU as descriptors 3, 4, ... Disposing closes the daemon's copies; QEMU's keep the taps alive until it exits.
/// </summary>
public sealed class GuestTaps : IDisposable
{
    public const int FirstDescriptor = 3;

    private readonly List<(int Interface, TapDevice Tap)> _taps;

    private GuestTaps(List<(int, TapDevice)> taps) => _taps = taps;

    /// <summary>Interface index to the descriptor number QEMU finds its tap at.</summary>
    public IReadOnlyDictionary<int, int> Descriptors => Numbered(_taps.Select(t => t.Interface));

    /// <summary>The interfaces that need a tap (bridge and network), by index.</summary>
    public static IEnumerable<int> Bridged(DomainDefinition def) =>
        def.Devices.Interfaces.Select((nic, i) => (nic, i)).Where(n => n.nic.Type is InterfaceType.Bridge or InterfaceType.Network).Select(n => n.i);

    /// <summary>The descriptors a start gives these interfaces' taps, 3, 4, ... in interface order.</summary>
    public static IReadOnlyDictionary<int, int> Numbered(IEnumerable<int> interfaces) =>
        interfaces.Select((index, k) => (index, Fd: FirstDescriptor + k)).ToDictionary(n => n.index, n => n.Fd);

    /// <summary>The daemon's descriptor and the number QEMU gets it as, for the spawn.</summary>
    public IReadOnlyList<(int Parent, int Child)> Inherited =>
        [.. _taps.Select((t, i) => (t.Tap.Descriptor, FirstDescriptor + i))];

    /// <param name="networks">virt.networks: a network's name to the bridge its guests are plugged into.</param>
    public static GuestTaps Open(DomainDefinition def, IReadOnlyDictionary<string, string> networks)
    {
        var taps = new List<(int, TapDevice)>();
        try
        {
            foreach (var i in Bridged(def))
            {
                var nic = def.Devices.Interfaces[i];
                var what = $"interface {i}";
                var bridge = nic.Type == InterfaceType.Bridge ? nic.SourceName! : BridgeOf(nic.SourceName!, networks);
                var tap = TapDevice.CreateOnBridge(what, bridge, nic.TargetDev, nic.Mac ?? InterfaceMacs.Derived(def.Uuid, i), nic.Model == "virtio");
                taps.Add((i, tap));
            }
            KeepAboveChildRange(taps);
            return new GuestTaps(taps);
        }
        catch
        {
            foreach (var (_, tap) in taps)
                tap.Dispose();
            throw;
        }
    }

    public static string BridgeOf(string network, IReadOnlyDictionary<string, string> networks) =>
        networks.TryGetValue(network, out var bridge) ? bridge
        : throw new VirtException(ErrorCode.NoNetwork,
            $"no network with matching name '{network}' (Virt's networks are bridges named in the daemon's config: virt.networks.{network}.bridge = BRIDGE)");

    /// <summary>The live definition names each tap, as libvirt's live XML does (&lt;target dev='vnet0'/&gt;).</summary>
    public DomainDefinition Named(DomainDefinition live)
    {
        if (_taps.Count == 0)
            return live;
        var nics = live.Devices.Interfaces.ToList();
        foreach (var (index, tap) in _taps)
            nics[index] = nics[index] with { TargetDev = tap.Name };
        return live with { Devices = live.Devices with { Interfaces = nics } };
    }

    // The spawn dup2s each tap to 3, 4, ...; a daemon descriptor inside that range would be overwritten before
    // its own turn, so such a one is moved above it first.
    private static void KeepAboveChildRange(List<(int Interface, TapDevice Tap)> taps)
    {
        var limit = FirstDescriptor + taps.Count;
        for (var i = 0; i < taps.Count; i++)
        {
            var (index, tap) = taps[i];
            if (tap.Descriptor >= limit)
                continue;
            var moved = NetIoctl.Fcntl(tap.Descriptor, NetIoctl.F_DUPFD_CLOEXEC, limit);
            if (moved < 0)
                throw new VirtException(ErrorCode.OperationFailed, $"interface {index}: cannot move the tap's descriptor: {LibC.StrError(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
            taps[i] = (index, tap.Adopt(moved));
        }
    }

    public void Dispose()
    {
        foreach (var (_, tap) in _taps)
            tap.Dispose();
    }
}
