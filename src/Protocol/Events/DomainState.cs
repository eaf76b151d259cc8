namespace Virt.Protocol.Events;

/// <summary>libvirt's virDomainState, with its numbers.</summary>
public enum DomainState
{
    NoState = 0,
    Running = 1,
    Blocked = 2,
    Paused = 3,
    Shutdown = 4,
    Shutoff = 5,
    Crashed = 6,
    PmSuspended = 7,
}

/// <summary>libvirt's virDomainRunningReason.</summary>
public enum RunningReason
{
    Unknown = 0,
    Booted = 1,
    Migrated = 2,
    Restored = 3,
    FromSnapshot = 4,
    Unpaused = 5,
    MigrationCanceled = 6,
    SaveCanceled = 7,
    Wakeup = 8,
    Crashed = 9,
    Postcopy = 10,
    PostcopyFailed = 11,
}

/// <summary>libvirt's virDomainPausedReason.</summary>
public enum PausedReason
{
    Unknown = 0,
    User = 1,
    Migration = 2,
    Save = 3,
    Dump = 4,
    IoError = 5,
    Watchdog = 6,
    FromSnapshot = 7,
    ShuttingDown = 8,
    Snapshot = 9,
    Crashed = 10,
    StartingUp = 11,
    Postcopy = 12,
    PostcopyFailed = 13,
    ApiError = 14,
}

/// <summary>libvirt's virDomainShutdownReason.</summary>
public enum ShutdownReason
{
    Unknown = 0,
    User = 1,
}

/// <summary>libvirt's virDomainNostateReason (only Unknown), and Virt's reason for a domain whose cluster node is unreachable.</summary>
public enum NoStateReason
{
    Unknown = 0,
    HostUnreachable = 1,
}

/// <summary>libvirt's virDomainShutoffReason.</summary>
public enum ShutoffReason
{
    Unknown = 0,
    Shutdown = 1,
    Destroyed = 2,
    Crashed = 3,
    Migrated = 4,
    Saved = 5,
    Failed = 6,
    FromSnapshot = 7,
    Daemon = 8,
}

/// <summary>libvirt's virDomainCrashedReason.</summary>
public enum CrashedReason
{
    Unknown = 0,
    Panicked = 1,
}
