namespace Virt.Actors.Storage;

/// <summary>What happened to a pool, numbered as virStoragePoolEventLifecycleType (Refreshed is the REFRESH event).</summary>
public enum StoragePoolChangeKind
{
    Defined = 0,
    Undefined = 1,
    Started = 2,
    Stopped = 3,
    Created = 4,
    Refreshed = -1,
}

/// <summary>One change to a pool, heard by every libvirt connection registered for pool events.</summary>
public sealed record StoragePoolChange(string Name, Guid Uuid, StoragePoolChangeKind Kind);
