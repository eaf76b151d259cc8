using Virt.Actors.Storage;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using Virt.Protocol.Storage;
using Virt.Supervisor.Storage;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Storage pools and volumes: directory pools whose files are their volumes, as virt-install and virt-manager use them
// to find a disk's path (they drop a --disk path on a connection without storage) and to create new disk images.
internal sealed partial class LibvirtSession
{
    private const uint PoolInactive = 0;
    private const uint PoolRunning = 2;

    [Flags]
    private enum PoolListFlags : uint
    {
        Active = 1,
        Inactive = 2,
        Persistent = 4,
        Transient = 8,
        Autostart = 16,
        NoAutostart = 32,
        Dir = 64,
        AnyType = ~0x7Fu,
    }

    private StoragePools Pools => runtime.Storage;

    /// <summary>A change to storage: refused on a read-only connection, as every domain change is.</summary>
    private void Writable(string what)
    {
        _ = Connection;
        if (_readOnly)
            throw new LibvirtFault(new LibvirtError(LibvirtError.OperationDenied, LibvirtError.FromStorage, $"operation forbidden: read only access prevents {what}"));
    }

    private StoragePoolState Pool(RemotePool pool)
    {
        _ = Connection;
        return Pools.Find(pool.Name) is { } found && found.Definition.Uuid == pool.Uuid
            ? found
            : throw new VirtException(ErrorCode.NoStoragePool, $"no storage pool with matching uuid '{pool.Uuid:D}' ({pool.Name})");
    }

    private static XdrWriter PoolHandle(StoragePoolState pool)
    {
        var w = new XdrWriter();
        new RemotePool(pool.Name, pool.Definition.Uuid).Write(w);
        return w;
    }

    private static XdrWriter VolumeHandle(StoragePoolState pool, VolumeInfo volume)
    {
        var w = new XdrWriter();
        new RemoteVolume(pool.Name, volume.Name, volume.Path).Write(w);
        return w;
    }

    private Task<XdrWriter?> ListAllPools(XdrReader args)
    {
        var needResults = args.Int("need_results");
        var flags = (PoolListFlags)args.UInt("flags");
        args.End("list all storage pools");
        _ = Connection;
        var pools = Pools.List().Where(p => Matches(p, flags)).ToList();
        var w = new XdrWriter();
        if (needResults != 0)
        {
            w.UInt((uint)pools.Count);
            foreach (var pool in pools)
                new RemotePool(pool.Name, pool.Definition.Uuid).Write(w);
        }
        else
        {
            w.UInt(0);
        }
        return Done(w.UInt((uint)pools.Count));
    }

    /// <summary>Within each group (active, persistence, autostart, type) no bit means no filter; every pool is a 'dir' pool.</summary>
    private static bool Matches(StoragePoolState pool, PoolListFlags flags) =>
        Group(flags, PoolListFlags.Active, PoolListFlags.Inactive, pool.Active)
        && Group(flags, PoolListFlags.Persistent, PoolListFlags.Transient, pool.Persistent)
        && Group(flags, PoolListFlags.Autostart, PoolListFlags.NoAutostart, pool.Autostart)
        && ((flags & (PoolListFlags.Dir | PoolListFlags.AnyType)) == 0 || (flags & PoolListFlags.Dir) != 0);

    private static bool Group(PoolListFlags flags, PoolListFlags yes, PoolListFlags no, bool value) =>
        (flags & (yes | no)) == 0 || (value ? (flags & yes) != 0 : (flags & no) != 0);

    private Task<XdrWriter?> CountPools(XdrReader args, bool active)
    {
        args.End("num of storage pools");
        _ = Connection;
        return Done(new XdrWriter().Int(Pools.List().Count(p => p.Active == active)));
    }

    private Task<XdrWriter?> ListPoolNames(XdrReader args, bool active)
    {
        var max = args.Int("maxnames");
        args.End("list storage pools");
        _ = Connection;
        if (max is < 0 or > P.StoragePoolListMax)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"maxnames {max} must be between 0 and {P.StoragePoolListMax}"));
        var names = Pools.List().Where(p => p.Active == active).Select(p => p.Name).Take(max).ToList();
        var w = new XdrWriter().UInt((uint)names.Count);
        foreach (var name in names)
            w.String(name);
        return Done(w);
    }

    private Task<XdrWriter?> LookupPoolByName(XdrReader args)
    {
        var name = args.String(P.StringMax, "name");
        args.End("storage pool lookup by name");
        _ = Connection;
        return Done(PoolHandle(Pools.Find(name) ?? throw new VirtException(ErrorCode.NoStoragePool, $"no storage pool with matching name '{name}'")));
    }

    private Task<XdrWriter?> LookupPoolByUuid(XdrReader args)
    {
        var uuid = new Guid(args.FixedOpaque(16, "uuid"), bigEndian: true);
        args.End("storage pool lookup by uuid");
        _ = Connection;
        return Done(PoolHandle(Pools.Find(uuid) ?? throw new VirtException(ErrorCode.NoStoragePool, $"no storage pool with matching uuid '{uuid:D}'")));
    }

    private Task<XdrWriter?> LookupPoolByVolume(XdrReader args)
    {
        var volume = RemoteVolume.Read(args);
        args.End("storage pool lookup by volume");
        _ = Connection;
        return Done(PoolHandle(Pools.Find(volume.Pool) ?? throw new VirtException(ErrorCode.NoStoragePool, $"no storage pool with matching name '{volume.Pool}'")));
    }

    private Task<XdrWriter?> LookupPoolByTargetPath(XdrReader args)
    {
        var path = args.String(P.StringMax, "path");
        args.End("storage pool lookup by target path");
        _ = Connection;
        return Done(PoolHandle(Path.IsPathRooted(path) && !path.Contains('\0') && Pools.FindByTarget(path) is { } pool
            ? pool
            : throw new VirtException(ErrorCode.NoStoragePool, $"no storage pool with matching target path '{path.Replace('\0', ' ')}'")));
    }

    private Task<XdrWriter?> PoolInfo(XdrReader args)
    {
        var pool = Pool(RemotePool.Read(args));
        args.End("storage pool get info");
        var space = pool.Active ? VolumeFiles.Space(pool.Definition.TargetPath) : new PoolSpace(0, 0, 0);
        return Done(new XdrWriter().UInt(pool.Active ? PoolRunning : PoolInactive).UHyper(space.CapacityBytes).UHyper(space.AllocationBytes).UHyper(space.AvailableBytes));
    }

    private Task<XdrWriter?> PoolXml(XdrReader args)
    {
        var pool = Pool(RemotePool.Read(args));
        _ = args.UInt("flags");
        args.End("storage pool get xml desc");
        var space = pool.Active ? VolumeFiles.Space(pool.Definition.TargetPath) : new PoolSpace(0, 0, 0);
        return Done(new XdrWriter().String(StorageXml.FormatPool(pool.Definition, space)));
    }

    private Task<XdrWriter?> PoolFlag(XdrReader args, Func<StoragePoolState, bool> flag)
    {
        var pool = Pool(RemotePool.Read(args));
        args.End("storage pool flag");
        return Done(new XdrWriter().Int(flag(pool) ? 1 : 0));
    }

    private Task<XdrWriter?> SetPoolAutostart(XdrReader args)
    {
        var pool = Pool(RemotePool.Read(args));
        var autostart = args.Int("autostart");
        args.End("storage pool set autostart");
        Writable("virStoragePoolSetAutostart");
        Pools.SetAutostart(pool.Name, autostart != 0);
        return Done();
    }

    private Task<XdrWriter?> DefinePool(XdrReader args, bool transient)
    {
        var xml = args.String(P.StringMax, "xml");
        _ = args.UInt("flags");
        args.End("storage pool define xml");
        Writable(transient ? "virStoragePoolCreateXML" : "virStoragePoolDefineXML");
        var definition = StorageXml.ParsePool(xml);
        if (runtime.Config.Runtime.Paths.Contains(definition.TargetPath))
            throw new VirtException(ErrorCode.OperationDenied, $"target path '{definition.TargetPath}' of storage pool '{definition.Name}' is inside the daemon's own directories");
        return Done(PoolHandle(transient ? Pools.CreateTransient(definition) : Pools.Define(definition)));
    }

    private Task<XdrWriter?> PoolAction(XdrReader args, bool withFlags, string what, Action<string> action)
    {
        var pool = Pool(RemotePool.Read(args));
        if (withFlags)
            _ = args.UInt("flags");
        args.End(what);
        Writable(what);
        action(pool.Name);
        return Done();
    }

    /// <summary>A directory pool's volumes are read fresh on every call: only the refresh event is left to send.</summary>
    private Task<XdrWriter?> RefreshPool(XdrReader args)
    {
        var pool = Pool(RemotePool.Read(args));
        _ = args.UInt("flags");
        args.End("storage pool refresh");
        Pools.Refresh(ActivePool(pool).Name);
        return Done();
    }

    private static StoragePoolState ActivePool(StoragePoolState pool) =>
        pool.Active ? pool : throw new VirtException(ErrorCode.OperationInvalid, $"storage pool '{pool.Name}' is not active");

    private Task<XdrWriter?> CountVolumes(XdrReader args)
    {
        var pool = ActivePool(Pool(RemotePool.Read(args)));
        args.End("storage pool num of volumes");
        return Done(new XdrWriter().Int(VolumeFiles.List(pool.Definition.TargetPath).Count));
    }

    private Task<XdrWriter?> ListVolumeNames(XdrReader args)
    {
        var pool = ActivePool(Pool(RemotePool.Read(args)));
        var max = args.Int("maxnames");
        args.End("storage pool list volumes");
        if (max is < 0 or > P.StorageVolListMax)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"maxnames {max} must be between 0 and {P.StorageVolListMax}"));
        var names = VolumeFiles.List(pool.Definition.TargetPath).Select(v => v.Name).Take(max).ToList();
        var w = new XdrWriter().UInt((uint)names.Count);
        foreach (var name in names)
            w.String(name);
        return Done(w);
    }

    private Task<XdrWriter?> ListAllVolumes(XdrReader args)
    {
        var pool = ActivePool(Pool(RemotePool.Read(args)));
        var needResults = args.Int("need_results");
        _ = args.UInt("flags");
        args.End("storage pool list all volumes");
        var volumes = VolumeFiles.List(pool.Definition.TargetPath);
        var w = new XdrWriter();
        if (needResults != 0)
        {
            w.UInt((uint)Math.Min(volumes.Count, P.StorageVolListMax));
            foreach (var volume in volumes.Take(P.StorageVolListMax))
                new RemoteVolume(pool.Name, volume.Name, volume.Path).Write(w);
        }
        else
        {
            w.UInt(0);
        }
        return Done(w.UInt((uint)volumes.Count));
    }

    /// <summary>The volume a handle names: the file of that name in its pool's directory, found afresh.</summary>
    private (StoragePoolState Pool, VolumeInfo Volume) Volume(RemoteVolume handle)
    {
        _ = Connection;
        if (Pools.Find(handle.Pool) is { Active: true } pool && FileIn(pool, handle.Name) is { } volume)
            return (pool, volume);
        throw new VirtException(ErrorCode.NoStorageVolume, $"no storage vol with matching name '{handle.Name}'");
    }

    private static VolumeInfo? FileIn(StoragePoolState pool, string name) =>
        name.Length == 0 || name.Contains('/') || name.Contains('\0') || name.StartsWith('.') ? null
            : VolumeFiles.Describe(Path.Combine(pool.Definition.TargetPath, name));

    private Task<XdrWriter?> LookupVolumeByName(XdrReader args)
    {
        var pool = ActivePool(Pool(RemotePool.Read(args)));
        var name = args.String(P.StringMax, "name");
        args.End("storage vol lookup by name");
        return Done(VolumeHandle(pool, FileIn(pool, name) ?? throw new VirtException(ErrorCode.NoStorageVolume, $"no storage vol with matching name '{name.Replace('\0', ' ')}'")));
    }

    /// <summary>By path or key (the same for a file volume): the file, in whichever active pool's directory holds it.</summary>
    private Task<XdrWriter?> LookupVolumeByPath(XdrReader args, string what)
    {
        var path = args.String(P.StringMax, what);
        args.End("storage vol lookup by " + what);
        _ = Connection;
        if (Path.IsPathRooted(path) && !path.Contains('\0'))
        {
            var full = Path.GetFullPath(path);
            if (Pools.FindByTarget(Path.GetDirectoryName(full)!) is { Active: true } pool && FileIn(pool, Path.GetFileName(full)) is { } volume)
                return Done(VolumeHandle(pool, volume));
        }
        throw new VirtException(ErrorCode.NoStorageVolume, $"no storage vol with matching {what} '{path.Replace('\0', ' ')}'");
    }

    /// <summary>remote_storage_vol_get_info_ret: the type (VIR_STORAGE_VOL_FILE, 0) is a char: 4 bytes.</summary>
    private Task<XdrWriter?> VolumeInfoOf(XdrReader args)
    {
        var (_, volume) = Volume(RemoteVolume.Read(args));
        args.End("storage vol get info");
        return Done(new XdrWriter().Int(0).UHyper(volume.CapacityBytes).UHyper(volume.AllocationBytes));
    }

    private Task<XdrWriter?> VolumeXml(XdrReader args)
    {
        var (_, volume) = Volume(RemoteVolume.Read(args));
        _ = args.UInt("flags");
        args.End("storage vol get xml desc");
        return Done(new XdrWriter().String(StorageXml.FormatVolume(volume)));
    }

    private Task<XdrWriter?> VolumePath(XdrReader args)
    {
        var (_, volume) = Volume(RemoteVolume.Read(args));
        args.End("storage vol get path");
        return Done(new XdrWriter().String(volume.Path));
    }

    private async Task<XdrWriter?> CreateVolumeAsync(XdrReader args, CancellationToken ct)
    {
        var pool = ActivePool(Pool(RemotePool.Read(args)));
        var xml = args.String(P.StringMax, "xml");
        _ = args.UInt("flags");
        args.End("storage vol create xml");
        Writable("virStorageVolCreateXML");
        var volume = await VolumeFiles.CreateAsync(pool.Definition.TargetPath, StorageXml.ParseVolume(xml), ct).ConfigureAwait(false);
        return VolumeHandle(pool, volume);
    }

    private Task<XdrWriter?> DeleteVolume(XdrReader args)
    {
        var (_, volume) = Volume(RemoteVolume.Read(args));
        _ = args.UInt("flags");
        args.End("storage vol delete");
        Writable("virStorageVolDelete");
        VolumeFiles.Delete(volume.Path);
        return Done();
    }
}
