namespace Virt.Protocol.Api;

/// <summary>libvirt's virDomainCreateFlags, with its bit values.</summary>
[Flags]
public enum DomainCreateFlags
{
    None = 0,
    StartPaused = 1 << 0,
    Autodestroy = 1 << 1,
    BypassCache = 1 << 2,
    ForceBoot = 1 << 3,
    Validate = 1 << 4,
    ResetNvram = 1 << 5,
}

/// <summary>libvirt's virDomainMigrateFlags, the ones `virt migrate` takes.</summary>
[Flags]
public enum DomainMigrateFlags
{
    None = 0,
    Live = 1 << 0,
    Persistent = 1 << 3,
    UndefineSource = 1 << 4,
    Offline = 1 << 10,
}

/// <summary>libvirt's virDomainUndefineFlagsValues: what an undefine may do with the files a domain keeps besides its config.</summary>
[Flags]
public enum DomainUndefineFlags
{
    None = 0,
    ManagedSave = 1 << 0,
    SnapshotsMetadata = 1 << 1,
    /// <summary>Remove the UEFI variable store too.</summary>
    Nvram = 1 << 2,
    /// <summary>Keep the UEFI variable store.</summary>
    KeepNvram = 1 << 3,
    CheckpointsMetadata = 1 << 4,
    Tpm = 1 << 5,
    KeepTpm = 1 << 6,
}

/// <summary>libvirt's virDomainDestroyFlagsValues.</summary>
[Flags]
public enum DomainDestroyFlags
{
    None = 0,
    /// <summary>SIGTERM only: fail rather than SIGKILL a QEMU that does not exit.</summary>
    Graceful = 1 << 0,
}

/// <summary>libvirt's virConnectListAllDomainsFlags; within a group, no bit set means no filter.</summary>
[Flags]
public enum ListDomainsFlags
{
    All = 0,
    Active = 1 << 0,
    Inactive = 1 << 1,
    Persistent = 1 << 2,
    Transient = 1 << 3,
    Running = 1 << 4,
    Paused = 1 << 5,
    Shutoff = 1 << 6,
    Other = 1 << 7,
    ManagedSave = 1 << 8,
    NoManagedSave = 1 << 9,
    Autostart = 1 << 10,
    NoAutostart = 1 << 11,
    HasSnapshot = 1 << 12,
    NoSnapshot = 1 << 13,
    HasCheckpoint = 1 << 14,
    NoCheckpoint = 1 << 15,
}
