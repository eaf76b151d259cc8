namespace Virt.Protocol.Storage;

/// <summary>A storage pool Virt keeps: a directory whose regular files are its volumes (libvirt's type 'dir').</summary>
public sealed record StoragePoolDefinition(string Name, Guid Uuid, string TargetPath);

/// <summary>A volume to create in a pool: its file name, size and image format (raw or qcow2).</summary>
public sealed record VolumeRequest(string Name, ulong CapacityBytes, string Format);

/// <summary>One volume as the pool's directory shows it.</summary>
public sealed record VolumeInfo(string Name, string Path, string Format, ulong CapacityBytes, ulong AllocationBytes, uint Mode, uint Owner, uint Group);

/// <summary>A pool's directory's space, from statvfs.</summary>
public sealed record PoolSpace(ulong CapacityBytes, ulong AllocationBytes, ulong AvailableBytes);
