using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Protocol.Api;

/// <summary>The long job a domain runs (a save, a start, a snapshot): its progress, and its end on request (virsh domjobinfo, domjobabort).</summary>
public static class DomainJobs
{
    /// <summary>The job in progress, or with <see cref="DomainJobStatsFlags.Completed"/> the last one that finished.</summary>
    public sealed record GetJobStats(DomainRef Domain, DomainJobStatsFlags Flags = DomainJobStatsFlags.None) : IDomainCommand;

    /// <summary>Cancels the job in progress; the domain is left as it was before the job.</summary>
    public sealed record AbortJob(DomainRef Domain) : IWriteCommand;

    /// <summary>A job's kind and its figures as libvirt's typed parameters ("operation", "time_elapsed", "data_total", ...).</summary>
    public sealed record JobStats(DomainJobType Type, IReadOnlyList<TypedParameter> Fields) : DomainReplies.IDomainReply
    {
        public static readonly JobStats None = new(DomainJobType.None, []);
    }
}

/// <summary>libvirt's virDomainJobType, with its values.</summary>
public enum DomainJobType
{
    None = 0,
    Bounded = 1,
    Unbounded = 2,
    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}

/// <summary>libvirt's virDomainJobOperation, with its values: what the job does.</summary>
public enum DomainJobOperation
{
    Unknown = 0,
    Start = 1,
    Save = 2,
    Restore = 3,
    MigrationIn = 4,
    MigrationOut = 5,
    Snapshot = 6,
    SnapshotRevert = 7,
    Dump = 8,
    Backup = 9,
}

/// <summary>libvirt's virDomainGetJobStatsFlags.</summary>
[Flags]
public enum DomainJobStatsFlags
{
    None = 0,
    Completed = 1 << 0,
    /// <summary>Reading the completed job's figures does not forget them.</summary>
    KeepCompleted = 1 << 1,
}
