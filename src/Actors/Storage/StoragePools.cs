using System.Text;
using Virt.Actors.Config;
using Virt.Protocol.Errors;
using Virt.Protocol.Storage;

namespace Virt.Actors.Storage;

/// <summary>One pool as the daemon holds it: its definition, whether it runs, whether it is kept and started at boot.</summary>
public sealed record StoragePoolState(StoragePoolDefinition Definition, bool Active, bool Persistent, bool Autostart)
{
    public string Name => Definition.Name;
}

/// <summary>
/// The daemon's storage pools, kept as libvirt keeps them (storage/NAME.xml, autostart/NAME.xml links): directory pools,
/// whose volumes are the files of their directory. Names and UUIDs are unique as for domains; an active pool cannot be
/// undefined; autostart pools are active from the start. Thread-safe: the libvirt sessions of every client share it.
/// </summary>
public sealed class StoragePools
{
    private const string Extension = ".xml";
    private const string TempSuffix = ".virt-tmp";
    private readonly Lock _lock = new();
    private readonly Dictionary<string, StoragePoolState> _pools = new(StringComparer.Ordinal);

    public string Directory { get; }

    /// <summary>Raised after each change, outside the lock: the libvirt sessions turn it into their pool events.</summary>
    public event Action<StoragePoolChange>? Changed;
    private string AutostartDirectory => Path.Combine(Directory, "autostart");

    private StoragePools(string directory) => Directory = directory;

    /// <summary>Loads every pool config (broken ones are skipped and listed in <paramref name="problems"/>) and starts the autostart ones.</summary>
    public static StoragePools Open(string directory, List<string>? problems = null)
    {
        var store = new StoragePools(directory);
        System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, "*" + Extension).Order(StringComparer.Ordinal))
        {
            try
            {
                var definition = StorageXml.ParsePool(ConfigFileText.Read(file));
                if (definition.Name + Extension != Path.GetFileName(file))
                    throw new VirtException(ErrorCode.XmlError, $"file name does not match pool name '{definition.Name}'");
                var autostart = File.Exists(Path.Combine(store.AutostartDirectory, definition.Name + Extension));
                store._pools[definition.Name] = new StoragePoolState(definition, autostart && System.IO.Directory.Exists(definition.TargetPath), true, autostart);
            }
            catch (Exception e) when (e is VirtException or IOException or UnauthorizedAccessException)
            {
                problems?.Add($"{Path.GetFileName(file)}: {e.Message}");
            }
        }
        return store;
    }

    public IReadOnlyList<StoragePoolState> List()
    {
        lock (_lock)
            return [.. _pools.Values.OrderBy(p => p.Name, StringComparer.Ordinal)];
    }

    public StoragePoolState? Find(string name)
    {
        lock (_lock)
            return _pools.GetValueOrDefault(name);
    }

    public StoragePoolState? Find(Guid uuid)
    {
        lock (_lock)
            return _pools.Values.FirstOrDefault(p => p.Definition.Uuid == uuid);
    }

    public StoragePoolState? FindByTarget(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        lock (_lock)
            return _pools.Values.FirstOrDefault(p => p.Definition.TargetPath == full);
    }

    /// <summary>Defines (or redefines) a persistent pool; a redefinition keeps it active or not as it was.</summary>
    public StoragePoolState Define(StoragePoolDefinition definition)
    {
        StoragePoolState state;
        lock (_lock)
        {
            var existing = CheckUnique(definition);
            state = new StoragePoolState(definition, existing?.Active ?? false, true, existing?.Autostart ?? false);
            var path = Path.Combine(Directory, definition.Name + Extension);
            try
            {
                AtomicFile.Write(path, Path.Combine(Directory, "." + definition.Uuid.ToString("D") + TempSuffix),
                    Encoding.UTF8.GetBytes(StorageXml.FormatPool(definition, new PoolSpace(0, 0, 0))));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VirtException(ErrorCode.OperationFailed, $"cannot write storage pool config {path}: {e.Message}", e);
            }
            _pools[definition.Name] = state;
        }
        Raise(definition, StoragePoolChangeKind.Defined);
        return state;
    }

    /// <summary>A transient pool, active at once and gone when stopped (virStoragePoolCreateXML).</summary>
    public StoragePoolState CreateTransient(StoragePoolDefinition definition)
    {
        StoragePoolState state;
        lock (_lock)
        {
            if (CheckUnique(definition) is not null)
                throw new VirtException(ErrorCode.OperationInvalid, $"storage pool '{definition.Name}' already exists");
            CheckTarget(definition);
            state = _pools[definition.Name] = new StoragePoolState(definition, true, false, false);
        }
        Raise(definition, StoragePoolChangeKind.Started);
        return state;
    }

    public void Undefine(string name)
    {
        StoragePoolState pool;
        lock (_lock)
        {
            pool = Get(name);
            if (pool.Active)
                throw new VirtException(ErrorCode.OperationInvalid, $"storage pool '{name}' is still active");
            try
            {
                DeleteIfPresent(Path.Combine(AutostartDirectory, name + Extension));
                DeleteIfPresent(Path.Combine(Directory, name + Extension));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VirtException(ErrorCode.OperationFailed, $"cannot remove storage pool config of '{name}': {e.Message}", e);
            }
            _pools.Remove(name);
        }
        Raise(pool.Definition, StoragePoolChangeKind.Undefined);
    }

    public StoragePoolState Start(string name)
    {
        StoragePoolState pool;
        lock (_lock)
        {
            pool = Get(name);
            if (pool.Active)
                throw new VirtException(ErrorCode.OperationInvalid, $"storage pool '{name}' is already active");
            CheckTarget(pool.Definition);
            pool = _pools[name] = pool with { Active = true };
        }
        Raise(pool.Definition, StoragePoolChangeKind.Started);
        return pool;
    }

    /// <summary>virStoragePoolBuild of a directory pool: makes its directory.</summary>
    public void Build(string name)
    {
        var pool = Get(name);
        try
        {
            System.IO.Directory.CreateDirectory(pool.Definition.TargetPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot create directory {pool.Definition.TargetPath}: {e.Message}", e);
        }
        Raise(pool.Definition, StoragePoolChangeKind.Created);
    }

    /// <summary>virStoragePoolRefresh: a directory pool's volumes are read fresh on every call, so only the event is left.</summary>
    public void Refresh(string name)
    {
        var pool = Get(name);
        if (!pool.Active)
            throw new VirtException(ErrorCode.OperationInvalid, $"storage pool '{name}' is not active");
        Raise(pool.Definition, StoragePoolChangeKind.Refreshed);
    }

    public void Stop(string name)
    {
        StoragePoolState pool;
        lock (_lock)
        {
            pool = Get(name);
            if (!pool.Active)
                throw new VirtException(ErrorCode.OperationInvalid, $"storage pool '{name}' is not active");
            if (pool.Persistent)
                _pools[name] = pool with { Active = false };
            else
                _pools.Remove(name);
        }
        Raise(pool.Definition, StoragePoolChangeKind.Stopped);
    }

    public void SetAutostart(string name, bool enabled)
    {
        lock (_lock)
        {
            var pool = Get(name);
            if (!pool.Persistent)
                throw new VirtException(ErrorCode.OperationInvalid, $"cannot set autostart for transient storage pool '{name}'");
            var link = Path.Combine(AutostartDirectory, name + Extension);
            try
            {
                if (enabled)
                {
                    System.IO.Directory.CreateDirectory(AutostartDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                    if (!File.Exists(link))
                        File.CreateSymbolicLink(link, Path.Combine(Directory, name + Extension));
                }
                else
                {
                    DeleteIfPresent(link);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VirtException(ErrorCode.OperationFailed, $"cannot {(enabled ? "create" : "remove")} autostart link {link}: {e.Message}", e);
            }
            _pools[name] = pool with { Autostart = enabled };
        }
    }

    private void Raise(StoragePoolDefinition definition, StoragePoolChangeKind kind) =>
        Changed?.Invoke(new StoragePoolChange(definition.Name, definition.Uuid, kind));

    /// <summary>File.Delete, but a missing directory (no pool was ever marked autostart) is no error either.</summary>
    private static void DeleteIfPresent(string path)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            File.Delete(path);
    }

    private StoragePoolState Get(string name)
    {
        lock (_lock)
            return _pools.GetValueOrDefault(name)
                ?? throw new VirtException(ErrorCode.NoStoragePool, $"no storage pool with matching name '{name}'");
    }

    /// <summary>libvirt's rules for names and UUIDs, as for domains; returns the pool this definition replaces, if any.</summary>
    private StoragePoolState? CheckUnique(StoragePoolDefinition definition)
    {
        if (_pools.GetValueOrDefault(definition.Name) is { } sameName && sameName.Definition.Uuid != definition.Uuid)
            throw new VirtException(ErrorCode.OperationFailed, $"pool '{definition.Name}' already exists with uuid {sameName.Definition.Uuid:D}");
        if (_pools.Values.FirstOrDefault(p => p.Definition.Uuid == definition.Uuid && p.Name != definition.Name) is { } sameUuid)
            throw new VirtException(ErrorCode.OperationFailed, $"pool '{sameUuid.Name}' is already defined with uuid {definition.Uuid:D}");
        if (_pools.Values.FirstOrDefault(p => p.Definition.TargetPath == definition.TargetPath && p.Name != definition.Name) is { } samePath)
            throw new VirtException(ErrorCode.OperationFailed, $"storage pool '{samePath.Name}' already uses target path {definition.TargetPath}");
        return _pools.GetValueOrDefault(definition.Name);
    }

    private static void CheckTarget(StoragePoolDefinition definition)
    {
        if (!System.IO.Directory.Exists(definition.TargetPath))
            throw new VirtException(ErrorCode.OperationFailed, $"cannot open directory '{definition.TargetPath}': No such file or directory");
    }
}
