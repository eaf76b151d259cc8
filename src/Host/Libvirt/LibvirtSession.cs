using Virt.Actors.Connections;
using Virt.Host.Runtime;
using Virt.Host.Sockets;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

/// <summary>
/// One libvirt client, mapped onto Virt's API records through its own ConnectionActor, opened at CONNECT_OPEN (so
/// read-only and autodestroy are this connection's): the actors never learn libvirt's protocol. Each procedure decodes
/// its arguments, makes the call and encodes its result; what is not here gets libvirt's unknown-procedure error.
/// </summary>
internal sealed partial class LibvirtSession(VirtRuntime runtime, ClientIdentity client, ILibvirtOutput output, string defaultUri) : ILibvirtSession
{
    private delegate Task<XdrWriter?> Procedure(LibvirtSession session, XdrReader args, CancellationToken ct);

    private static readonly Dictionary<int, Procedure> Remote = new()
    {
        [P.AuthList] = (s, a, _) => s.AuthList(a),
        [P.ConnectSupportsFeature] = (s, a, _) => s.SupportsFeature(a),
        [P.ConnectOpen] = (s, a, ct) => s.OpenAsync(a, ct),
        [P.ConnectClose] = (s, a, _) => s.CloseConnection(a),
        [P.ConnectRegisterCloseCallback] = (s, a, _) => s.Void(a),
        [P.ConnectUnregisterCloseCallback] = (s, a, _) => s.Void(a),
        [P.ConnectGetType] = (s, a, _) => s.GetType(a),
        [P.ConnectGetVersion] = (s, a, ct) => s.GetVersionAsync(a, ct),
        [P.ConnectGetLibVersion] = (s, a, _) => s.GetLibVersion(a),
        [P.ConnectGetHostname] = (s, a, _) => s.GetHostname(a),
        [P.ConnectGetUri] = (s, a, _) => s.GetUri(a),
        [P.ConnectIsSecure] = (s, a, _) => s.IsSecure(a),
        [P.NodeGetInfo] = (s, a, _) => s.NodeGetInfo(a),
        [P.NodeGetSecurityModel] = (s, a, _) => s.NodeGetSecurityModel(a),
        [P.ConnectGetCapabilities] = (s, a, ct) => s.GetCapabilitiesAsync(a, ct),
        [P.ConnectGetDomainCapabilities] = (s, a, ct) => s.GetDomainCapabilitiesAsync(a, ct),
        [P.DomainLookupByName] = (s, a, ct) => s.LookupByNameAsync(a, ct),
        [P.DomainLookupByUuid] = (s, a, ct) => s.LookupByUuidAsync(a, ct),
        [P.DomainLookupById] = (s, a, ct) => s.LookupByIdAsync(a, ct),
        [P.ConnectListAllDomains] = (s, a, ct) => s.ListAllDomainsAsync(a, ct),
        [P.ConnectNumOfDomains] = (s, a, ct) => s.NumOfDomainsAsync(a, active: true, ct),
        [P.ConnectNumOfDefinedDomains] = (s, a, ct) => s.NumOfDomainsAsync(a, active: false, ct),
        [P.ConnectListDomains] = (s, a, ct) => s.ListDomainIdsAsync(a, ct),
        [P.ConnectListDefinedDomains] = (s, a, ct) => s.ListDefinedDomainsAsync(a, ct),
        [P.DomainGetInfo] = (s, a, ct) => s.GetInfoAsync(a, ct),
        [P.DomainGetState] = (s, a, ct) => s.GetStateAsync(a, ct),
        [P.DomainGetOsType] = (s, a, ct) => s.GetOsTypeAsync(a, ct),
        [P.DomainGetXmlDesc] = (s, a, ct) => s.GetXmlDescAsync(a, ct),
        [P.DomainGetAutostart] = (s, a, ct) => s.GetAutostartAsync(a, ct),
        [P.DomainSetAutostart] = (s, a, ct) => s.SetAutostartAsync(a, ct),
        [P.DomainIsActive] = (s, a, ct) => s.IsActiveAsync(a, ct),
        [P.DomainIsPersistent] = (s, a, ct) => s.IsPersistentAsync(a, ct),
        [P.DomainHasManagedSaveImage] = (s, a, ct) => s.HasManagedSaveImageAsync(a, ct),
        [P.DomainManagedSave] = (s, a, ct) => s.ManagedSaveAsync(a, ct),
        [P.DomainManagedSaveRemove] = (s, a, ct) => s.ManagedSaveRemoveAsync(a, ct),
        [P.DomainSave] = (s, a, ct) => s.SaveAsync(a, withFlags: false, ct),
        [P.DomainSaveFlags] = (s, a, ct) => s.SaveAsync(a, withFlags: true, ct),
        [P.DomainRestore] = (s, a, ct) => s.RestoreAsync(a, withFlags: false, ct),
        [P.DomainRestoreFlags] = (s, a, ct) => s.RestoreAsync(a, withFlags: true, ct),
        [P.DomainSnapshotNum] = (s, a, ct) => s.SnapshotNumAsync(a, ct),
        [P.DomainSnapshotCreateXml] = (s, a, ct) => s.SnapshotCreateAsync(a, ct),
        [P.DomainSnapshotGetXmlDesc] = (s, a, ct) => s.SnapshotGetXmlDescAsync(a, ct),
        [P.DomainSnapshotListNames] = (s, a, ct) => s.SnapshotListNamesAsync(a, ct),
        [P.DomainSnapshotLookupByName] = (s, a, ct) => s.SnapshotLookupByNameAsync(a, ct),
        [P.DomainHasCurrentSnapshot] = (s, a, ct) => s.HasCurrentSnapshotAsync(a, ct),
        [P.DomainSnapshotCurrent] = (s, a, ct) => s.SnapshotCurrentAsync(a, ct),
        [P.DomainRevertToSnapshot] = (s, a, ct) => s.RevertToSnapshotAsync(a, ct),
        [P.DomainSnapshotDelete] = (s, a, ct) => s.SnapshotDeleteAsync(a, ct),
        [P.DomainSnapshotGetParent] = (s, a, ct) => s.SnapshotGetParentAsync(a, ct),
        [P.DomainSnapshotIsCurrent] = (s, a, ct) => s.SnapshotIsCurrentAsync(a, ct),
        [P.DomainSnapshotNumChildren] = (s, a, ct) => s.SnapshotNumChildrenAsync(a, ct),
        [P.DomainSnapshotHasMetadata] = (s, a, ct) => s.SnapshotHasMetadataAsync(a, ct),
        [P.DomainListAllSnapshots] = (s, a, ct) => s.ListAllSnapshotsAsync(a, ct),
        [P.DomainGetMessages] = (s, a, ct) => s.GetMessagesAsync(a, ct),
        [P.DomainGetSecurityLabel] = (s, a, ct) => s.GetSecurityLabelAsync(a, ct),
        [P.DomainDefineXml] = (s, a, ct) => s.DefineAsync(a, withFlags: false, ct),
        [P.DomainDefineXmlFlags] = (s, a, ct) => s.DefineAsync(a, withFlags: true, ct),
        [P.DomainUndefine] = (s, a, ct) => s.UndefineAsync(a, withFlags: false, ct),
        [P.DomainUndefineFlags] = (s, a, ct) => s.UndefineAsync(a, withFlags: true, ct),
        [P.DomainCreate] = (s, a, ct) => s.CreateAsync(a, withFlags: false, ct),
        [P.DomainCreateWithFlags] = (s, a, ct) => s.CreateAsync(a, withFlags: true, ct),
        [P.DomainCreateXml] = (s, a, ct) => s.CreateXmlAsync(a, ct),
        [P.DomainShutdown] = (s, a, ct) => s.ShutdownAsync(a, withFlags: false, ct),
        [P.DomainShutdownFlags] = (s, a, ct) => s.ShutdownAsync(a, withFlags: true, ct),
        [P.DomainReboot] = (s, a, ct) => s.RebootAsync(a, ct),
        [P.DomainReset] = (s, a, ct) => s.ResetAsync(a, ct),
        [P.DomainDestroy] = (s, a, ct) => s.DestroyAsync(a, withFlags: false, ct),
        [P.DomainDestroyFlags] = (s, a, ct) => s.DestroyAsync(a, withFlags: true, ct),
        [P.DomainSuspend] = (s, a, ct) => s.SuspendAsync(a, ct),
        [P.DomainResume] = (s, a, ct) => s.ResumeAsync(a, ct),
        [P.ConnectDomainEventCallbackRegisterAny] = (s, a, ct) => s.RegisterCallbackAsync(a, ct),
        [P.ConnectDomainEventCallbackDeregisterAny] = (s, a, ct) => s.DeregisterCallbackAsync(a, ct),
        [P.ConnectDomainEventRegister] = (s, a, ct) => s.RegisterLegacyLifecycleAsync(a, ct),
        [P.ConnectDomainEventDeregister] = (s, a, ct) => s.DeregisterLegacyLifecycleAsync(a, ct),
        [P.ConnectDomainEventRegisterAny] = (s, a, ct) => s.RegisterLegacyAnyAsync(a, ct),
        [P.ConnectDomainEventDeregisterAny] = (s, a, ct) => s.DeregisterLegacyAnyAsync(a, ct),
        [P.DomainSetMemory] = (s, a, ct) => s.SetMemoryAsync(a, Protocol.Api.DomainModificationFlags.Live, ct),
        [P.DomainSetMaxMemory] = (s, a, ct) => s.SetMemoryAsync(a, Protocol.Api.DomainModificationFlags.Maximum, ct),
        [P.DomainSetMemoryFlags] = (s, a, ct) => s.SetMemoryAsync(a, null, ct),
        [P.DomainSetVcpus] = (s, a, ct) => s.SetVcpusAsync(a, withFlags: false, ct),
        [P.DomainSetVcpusFlags] = (s, a, ct) => s.SetVcpusAsync(a, withFlags: true, ct),
        [P.DomainUpdateDeviceFlags] = (s, a, ct) => s.UpdateDeviceAsync(a, ct),
        [P.DomainAttachDevice] = (s, a, ct) => s.AttachDeviceAsync(a, withFlags: false, ct),
        [P.DomainAttachDeviceFlags] = (s, a, ct) => s.AttachDeviceAsync(a, withFlags: true, ct),
        [P.DomainDetachDevice] = (s, a, ct) => s.DetachDeviceAsync(a, withFlags: false, ct),
        [P.DomainDetachDeviceFlags] = (s, a, ct) => s.DetachDeviceAsync(a, withFlags: true, ct),
        [P.ConnectGetAllDomainStats] = (s, a, ct) => s.GetAllDomainStatsAsync(a, ct),
        [P.DomainBlockStats] = (s, a, ct) => s.BlockStatsAsync(a, ct),
        [P.DomainBlockStatsFlags] = (s, a, ct) => s.BlockStatsFlagsAsync(a, ct),
        [P.DomainInterfaceStats] = (s, a, ct) => s.InterfaceStatsAsync(a, ct),
        [P.DomainGetBlockInfo] = (s, a, ct) => s.GetBlockInfoAsync(a, ct),
        [P.DomainMemoryStats] = (s, a, ct) => s.MemoryStatsAsync(a, ct),
        [P.DomainGetCpuStats] = (s, a, ct) => s.GetCpuStatsAsync(a, ct),
        [P.DomainGetJobInfo] = (s, a, ct) => s.GetJobInfoAsync(a, ct),
        [P.DomainGetJobStats] = (s, a, ct) => s.GetJobStatsAsync(a, ct),
        [P.DomainAbortJob] = (s, a, ct) => s.AbortJobAsync(a, withFlags: false, ct),
        [P.DomainAbortJobFlags] = (s, a, ct) => s.AbortJobAsync(a, withFlags: true, ct),
        [P.ConnectListAllStoragePools] = (s, a, _) => s.ListAllPools(a),
        [P.ConnectNumOfStoragePools] = (s, a, _) => s.CountPools(a, active: true),
        [P.ConnectNumOfDefinedStoragePools] = (s, a, _) => s.CountPools(a, active: false),
        [P.ConnectListStoragePools] = (s, a, _) => s.ListPoolNames(a, active: true),
        [P.ConnectListDefinedStoragePools] = (s, a, _) => s.ListPoolNames(a, active: false),
        [P.StoragePoolLookupByName] = (s, a, _) => s.LookupPoolByName(a),
        [P.StoragePoolLookupByUuid] = (s, a, _) => s.LookupPoolByUuid(a),
        [P.StoragePoolLookupByVolume] = (s, a, _) => s.LookupPoolByVolume(a),
        [P.StoragePoolLookupByTargetPath] = (s, a, _) => s.LookupPoolByTargetPath(a),
        [P.StoragePoolGetInfo] = (s, a, _) => s.PoolInfo(a),
        [P.StoragePoolGetXmlDesc] = (s, a, _) => s.PoolXml(a),
        [P.StoragePoolGetAutostart] = (s, a, _) => s.PoolFlag(a, p => p.Autostart),
        [P.StoragePoolIsActive] = (s, a, _) => s.PoolFlag(a, p => p.Active),
        [P.StoragePoolIsPersistent] = (s, a, _) => s.PoolFlag(a, p => p.Persistent),
        [P.StoragePoolSetAutostart] = (s, a, _) => s.SetPoolAutostart(a),
        [P.StoragePoolDefineXml] = (s, a, _) => s.DefinePool(a, transient: false),
        [P.StoragePoolCreateXml] = (s, a, _) => s.DefinePool(a, transient: true),
        [P.StoragePoolCreate] = (s, a, _) => s.PoolAction(a, withFlags: true, "virStoragePoolCreate", n => s.Pools.Start(n)),
        [P.StoragePoolBuild] = (s, a, _) => s.PoolAction(a, withFlags: true, "virStoragePoolBuild", n => s.Pools.Build(n)),
        [P.StoragePoolDestroy] = (s, a, _) => s.PoolAction(a, withFlags: false, "virStoragePoolDestroy", n => s.Pools.Stop(n)),
        [P.StoragePoolUndefine] = (s, a, _) => s.PoolAction(a, withFlags: false, "virStoragePoolUndefine", n => s.Pools.Undefine(n)),
        [P.StoragePoolRefresh] = (s, a, _) => s.RefreshPool(a),
        [P.StoragePoolNumOfVolumes] = (s, a, _) => s.CountVolumes(a),
        [P.StoragePoolListVolumes] = (s, a, _) => s.ListVolumeNames(a),
        [P.StoragePoolListAllVolumes] = (s, a, _) => s.ListAllVolumes(a),
        [P.StorageVolLookupByName] = (s, a, _) => s.LookupVolumeByName(a),
        [P.StorageVolLookupByPath] = (s, a, _) => s.LookupVolumeByPath(a, "path"),
        [P.StorageVolLookupByKey] = (s, a, _) => s.LookupVolumeByPath(a, "key"),
        [P.StorageVolGetInfo] = (s, a, _) => s.VolumeInfoOf(a),
        [P.StorageVolGetXmlDesc] = (s, a, _) => s.VolumeXml(a),
        [P.StorageVolGetPath] = (s, a, _) => s.VolumePath(a),
        [P.StorageVolCreateXml] = (s, a, ct) => s.CreateVolumeAsync(a, ct),
        [P.StorageVolDelete] = (s, a, _) => s.DeleteVolume(a),
        [P.ConnectStoragePoolEventRegisterAny] = (s, a, _) => s.RegisterPoolCallback(a),
        [P.ConnectStoragePoolEventDeregisterAny] = (s, a, _) => s.DeregisterPoolCallback(a),
        [P.ConnectListAllNetworks] = (s, a, _) => s.ListAllNone(a, "list all networks"),
        [P.ConnectNumOfNetworks] = (s, a, _) => s.CountNetworks(a),
        [P.ConnectNumOfDefinedNetworks] = (s, a, _) => s.CountNetworks(a),
        [P.ConnectListNetworks] = (s, a, _) => s.ListNetworkNames(a),
        [P.ConnectListDefinedNetworks] = (s, a, _) => s.ListNetworkNames(a),
        [P.NetworkLookupByName] = (s, a, _) => s.LookupNetworkByName(a),
        [P.NetworkLookupByUuid] = (s, a, _) => s.LookupNetworkByUuid(a),
        [P.ConnectNetworkEventRegisterAny] = (s, a, _) => s.RegisterNetworkCallback(a),
        [P.ConnectNetworkEventDeregisterAny] = (s, a, _) => s.DeregisterCallback(a, s._networkCallbacks, "network event deregister any"),
        [P.ConnectListAllNodeDevices] = (s, a, _) => s.ListAllNone(a, "list all node devices"),
        [P.NodeNumOfDevices] = (s, a, _) => s.CountNodeDevices(a),
        [P.NodeListDevices] = (s, a, _) => s.ListNodeDeviceNames(a),
        [P.NodeDeviceLookupByName] = (s, a, _) => s.LookupNodeDeviceByName(a),
        [P.ConnectNodeDeviceEventRegisterAny] = (s, a, _) => s.RegisterNodeDeviceCallback(a),
        [P.ConnectNodeDeviceEventDeregisterAny] = (s, a, _) => s.DeregisterCallback(a, s._nodeDeviceCallbacks, "node device event deregister any"),
        [P.NodeGetMemoryStats] = (s, a, _) => s.NodeGetMemoryStats(a),
        [P.DomainInterfaceAddresses] = (s, a, ct) => s.InterfaceAddressesAsync(a, ct),
        [P.DomainGetSchedulerType] = (s, a, ct) => s.GetSchedulerTypeAsync(a, ct),
        [P.DomainIsUpdated] = (s, a, ct) => s.IsUpdatedAsync(a, ct),
    };

    private static readonly Dictionary<int, Procedure> Qemu = new()
    {
        [P.QemuDomainMonitorCommand] = (s, a, ct) => s.MonitorCommandAsync(a, ct),
    };

    private ConnectionClient? _connection;
    private string? _uri;
    private bool _readOnly;

    public async Task<byte[]> CallAsync(LibvirtPacket call, CancellationToken ct)
    {
        var header = call.Header;
        var table = header.Program == LibvirtProgram.Qemu ? Qemu : Remote;
        if (!table.TryGetValue(header.Procedure, out var procedure))
            return LibvirtConnection.ErrorReply(header, LibvirtError.UnknownProcedure(header.Procedure));
        try
        {
            var body = await procedure(this, new XdrReader(call.Body), ct).ConfigureAwait(false);
            return LibvirtFraming.Encode(header.Reply(LibvirtStatus.Ok), body is null ? [] : body.Written);
        }
        catch (LibvirtFault fault)
        {
            return LibvirtConnection.ErrorReply(header, fault.Error);
        }
        catch (VirtException e)
        {
            return LibvirtConnection.ErrorReply(header, LibvirtError.From(e));
        }
    }

    /// <summary>The connection the calls go through; libvirt's "connection not open" before CONNECT_OPEN.</summary>
    private ConnectionClient Connection => _connection
        ?? throw new LibvirtFault(new LibvirtError(LibvirtError.InternalError, LibvirtError.FromRpc, "internal error: connection not open"));

    /// <summary>One command through the connection; an error reply becomes the libvirt error it stands for.</summary>
    private async Task<T> CallAsync<T>(IDomainCommand command, CancellationToken ct) where T : IDomainReply
    {
        var reply = await Connection.CallAsync(command, ct).ConfigureAwait(false);
        return reply switch
        {
            T expected => expected,
            ErrorReply error => throw new VirtException(error.Code, error.Message),
            _ => throw new VirtException(ErrorCode.InternalError, $"{Virt.Protocol.Rpc.Procedures.Describe(command)} gave a reply of another kind"),
        };
    }

    private static Task<XdrWriter?> Done(XdrWriter? body = null) => Task.FromResult(body);

    private Task<XdrWriter?> Void(XdrReader args)
    {
        args.End("void call");
        return Done();
    }

    public async ValueTask DisposeAsync()
    {
        StopPoolEvents();
        // The client went, however it went: its autodestroy domains die with its connection.
        if (_connection is { } connection)
        {
            _connection = null;
            await StopEventsAsync().ConfigureAwait(false);
            connection.Close();
        }
    }
}
