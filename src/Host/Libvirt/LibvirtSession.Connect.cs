using System.Net;
using Virt.Actors.Connections;
using Virt.Actors.Runtime;
using Virt.Host.Libvirt.Capabilities;
using Virt.Host.Runtime;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using Virt.Supervisor.Host;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// The handshake and what a client asks of the host: auth, features, open and close, type, versions, host name, URI.
internal sealed partial class LibvirtSession
{
    /// <summary>The libvirt API level Virt answers as: what Debian's virsh and python3-libvirt 9.0 are.</summary>
    private const ulong LibVersion = 9_000_000;

    private const uint ConnectReadOnly = 1;

    private static readonly HashSet<int> SupportedFeatures =
    [
        DriverFeature.TypedParamString,
        DriverFeature.ProgramKeepalive,
        DriverFeature.RemoteEventCallback,
        DriverFeature.RemoteCloseCallback,
        DriverFeature.NetworkUpdateHasCorrectOrder,
    ];

    /// <summary>AUTH_NONE: the socket's file mode and the peer's uid (SO_PEERCRED) are the authentication.</summary>
    private Task<XdrWriter?> AuthList(XdrReader args)
    {
        args.End("auth list");
        return Done(new XdrWriter().UInt(1).Int(0));
    }

    private Task<XdrWriter?> SupportsFeature(XdrReader args)
    {
        var feature = args.Int("feature");
        args.End("supports feature");
        // Descriptors pass only over a UNIX socket (SCM_RIGHTS); virDomainOpenGraphicsFD asks first.
        var supported = SupportedFeatures.Contains(feature) || (feature == DriverFeature.FdPassing && client.Transport == "unix");
        return Done(new XdrWriter().Int(supported ? 1 : 0));
    }

    /// <summary>
    /// Opens this client's connection. Only the read-only bit of the flags matters, as in libvirtd; a read-only socket
    /// stays read-only whatever the client asks. Any qemu URI is accepted: the socket, not the name, chose the daemon.
    /// </summary>
    private async Task<XdrWriter?> OpenAsync(XdrReader args, CancellationToken ct)
    {
        var name = args.OptionalString(P.StringMax, "name");
        var flags = args.UInt("flags");
        args.End("connect open");
        if (name is { Length: > 0 } && !name.StartsWith("qemu", StringComparison.Ordinal))
            throw new LibvirtFault(new LibvirtError(LibvirtError.NoConnect, LibvirtError.FromRpc, $"no connection driver available for {name}"));
        if (_connection is not null)
            throw new LibvirtFault(LibvirtError.InvalidArgument("the connection is already open"));
        var readOnly = _readOnly = client.ReadOnly || (flags & ConnectReadOnly) != 0;
        var info = new ClientInfo(client.Uid, client.Pid, readOnly, "libvirt over unix") { LocalEventsOnly = true };
        var actor = await runtime.OpenConnectionAsync(info, new EventSink(this), ct: ct).ConfigureAwait(false);
        _connection = new ConnectionClient(actor, runtime.Config.Host.CallTimeout);
        _uri = name is { Length: > 0 } ? name : defaultUri;
        return null;
    }

    private Task<XdrWriter?> CloseConnection(XdrReader args)
    {
        args.End("connect close");
        _ = DisposeAsync().AsTask();
        return Done();
    }

    private Task<XdrWriter?> GetType(XdrReader args)
    {
        args.End("get type");
        return Done(new XdrWriter().String("QEMU"));
    }

    /// <summary>The hypervisor version is the default emulator's, from the probe a start would reuse: 7.2.22 is 7002022.</summary>
    private async Task<XdrWriter?> GetVersionAsync(XdrReader args, CancellationToken ct)
    {
        args.End("get version");
        var v = (await DefaultEmulatorAsync(ct).ConfigureAwait(false)).Version;
        return new XdrWriter().UHyper((ulong)(v.Major * 1_000_000L + Math.Max(0, v.Minor) * 1_000L + Math.Max(0, v.Build)));
    }

    private Task<XdrWriter?> GetLibVersion(XdrReader args)
    {
        args.End("get lib version");
        return Done(new XdrWriter().UHyper(LibVersion));
    }

    private Task<XdrWriter?> GetHostname(XdrReader args)
    {
        args.End("get hostname");
        return Done(new XdrWriter().String(Dns.GetHostName()));
    }

    private Task<XdrWriter?> GetUri(XdrReader args)
    {
        args.End("get uri");
        return Done(new XdrWriter().String(_uri ?? defaultUri));
    }

    /// <summary>A UNIX socket on this host: nothing crosses a network.</summary>
    private Task<XdrWriter?> IsSecure(XdrReader args)
    {
        args.End("is secure");
        return Done(new XdrWriter().Int(1));
    }

    /// <summary>remote_node_get_info_ret: char model[32] is a fixed array of 4-byte chars, NUL-padded.</summary>
    private Task<XdrWriter?> NodeGetInfo(XdrReader args)
    {
        args.End("node get info");
        var node = NodeInfo.Read();
        var w = new XdrWriter();
        var model = System.Text.Encoding.ASCII.GetBytes(node.Model);
        for (var i = 0; i < 32; i++)
            w.Int(i < model.Length && i < 31 ? model[i] : 0);
        return Done(w.UHyper(node.MemoryKiB).Int(node.Cpus).Int(node.Mhz).Int(node.Nodes).Int(node.Sockets).Int(node.Cores).Int(node.Threads));
    }

    private async Task<XdrWriter?> GetCapabilitiesAsync(XdrReader args, CancellationToken ct)
    {
        args.End("get capabilities");
        var qemu = await DefaultEmulatorAsync(ct).ConfigureAwait(false);
        return new XdrWriter().String(HostCapabilitiesXml.Build(qemu, NodeInfo.Read(), HostCapabilitiesXml.HostUuid()));
    }

    /// <summary>For the named emulator (or the default one), arch, machine and domain type; null ones take the defaults.</summary>
    private async Task<XdrWriter?> GetDomainCapabilitiesAsync(XdrReader args, CancellationToken ct)
    {
        var emulator = args.OptionalString(P.StringMax, "emulatorbin");
        var arch = args.OptionalString(P.StringMax, "arch");
        var machine = args.OptionalString(P.StringMax, "machine");
        var virtType = args.OptionalString(P.StringMax, "virttype");
        _ = args.UInt("flags");
        args.End("get domain capabilities");
        var qemu = emulator is null
            ? await DefaultEmulatorAsync(ct).ConfigureAwait(false)
            : await runtime.Capabilities.GetAsync(CheckEmulator(emulator), ct).ConfigureAwait(false);
        return new XdrWriter().String(DomainCapabilitiesXml.Build(qemu, arch, machine, virtType));
    }

    /// <summary>
    /// A probe runs the binary it is given: only an absolute path to a qemu-system-* program, and on a read-only
    /// connection only the default emulator, which any start would probe anyway.
    /// </summary>
    private string CheckEmulator(string emulator)
    {
        if (emulator.Contains('\0') || !Path.IsPathRooted(emulator) || !Path.GetFileName(emulator).StartsWith("qemu-system-", StringComparison.Ordinal))
            throw new LibvirtFault(LibvirtError.InvalidArgument($"emulator '{emulator.Replace('\0', ' ')}' is not an absolute path to a qemu-system-* program"));
        var path = Path.GetFullPath(emulator);
        if ((client.ReadOnly || _readOnly) && path != DomainRuntime.ResolveEmulator(runtime.Config.Runtime.DefaultEmulator))
            throw new Protocol.Errors.VirtException(Protocol.Errors.ErrorCode.OperationDenied, "read only access prevents probing an emulator other than the default one");
        return path;
    }

    private Task<Supervisor.Capabilities.QemuCapabilities> DefaultEmulatorAsync(CancellationToken ct) =>
        runtime.Capabilities.GetAsync(DomainRuntime.ResolveEmulator(runtime.Config.Runtime.DefaultEmulator), ct);

    /// <summary>No security driver, as libvirt reports it without one: model "none", DOI "0".</summary>
    private Task<XdrWriter?> NodeGetSecurityModel(XdrReader args)
    {
        args.End("node get security model");
        return Done(new XdrWriter().CharArray("none").CharArray("0"));
    }
}
