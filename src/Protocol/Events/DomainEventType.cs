namespace Virt.Protocol.Events;

/// <summary>libvirt's virDomainEventType, with its numbers.</summary>
public enum DomainEventType
{
    Defined = 0,
    Undefined = 1,
    Started = 2,
    Suspended = 3,
    Resumed = 4,
    Stopped = 5,
    Shutdown = 6,
    PmSuspended = 7,
    Crashed = 8,
}

/// <summary>virDomainEventDefinedDetailType.</summary>
public enum DefinedDetail { Added = 0, Updated = 1, Renamed = 2, FromSnapshot = 3 }

/// <summary>virDomainEventUndefinedDetailType.</summary>
public enum UndefinedDetail { Removed = 0, Renamed = 1 }

/// <summary>virDomainEventStartedDetailType.</summary>
public enum StartedDetail { Booted = 0, Migrated = 1, Restored = 2, FromSnapshot = 3, Wakeup = 4, Recreated = 5 }

/// <summary>virDomainEventSuspendedDetailType.</summary>
public enum SuspendedDetail
{
    Paused = 0,
    Migrated = 1,
    IoError = 2,
    Watchdog = 3,
    Restored = 4,
    FromSnapshot = 5,
    ApiError = 6,
    Postcopy = 7,
    PostcopyFailed = 8,
}

/// <summary>virDomainEventResumedDetailType.</summary>
public enum ResumedDetail { Unpaused = 0, Migrated = 1, FromSnapshot = 2, Postcopy = 3, PostcopyFailed = 4 }

/// <summary>virDomainEventStoppedDetailType.</summary>
public enum StoppedDetail
{
    Shutdown = 0,
    Destroyed = 1,
    Crashed = 2,
    Migrated = 3,
    Saved = 4,
    Failed = 5,
    FromSnapshot = 6,
    Recreated = 7,
}

/// <summary>virDomainEventShutdownDetailType.</summary>
public enum ShutdownDetail { Finished = 0, Guest = 1, Host = 2 }

/// <summary>virDomainEventPMSuspendedDetailType.</summary>
public enum PmSuspendedDetail { Memory = 0, Disk = 1 }

/// <summary>virDomainEventCrashedDetailType.</summary>
public enum CrashedDetail { Panicked = 0, Crashloaded = 1 }
