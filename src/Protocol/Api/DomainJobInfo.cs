namespace Virt.Protocol.Api;

/// <summary>
/// The fixed figures of libvirt's virDomainJobInfo, read off a job's typed parameters as libvirt's client does: what
/// the legacy GET_JOB_INFO call answers and what virsh domjobinfo prints first.
/// </summary>
public sealed record DomainJobInfo(DomainJobType Type)
{
    public DomainJobOperation Operation { get; init; }
    public ulong TimeElapsed { get; init; }
    public ulong TimeRemaining { get; init; }
    public ulong DataTotal { get; init; }
    public ulong DataProcessed { get; init; }
    public ulong DataRemaining { get; init; }
    public ulong MemTotal { get; init; }
    public ulong MemProcessed { get; init; }
    public ulong MemRemaining { get; init; }
    public ulong FileTotal { get; init; }
    public ulong FileProcessed { get; init; }
    public ulong FileRemaining { get; init; }

    public static DomainJobInfo Of(DomainJobs.JobStats stats)
    {
        var fields = stats.Fields.ToDictionary(f => f.Field, f => f.Number, StringComparer.Ordinal);
        ulong Get(string name) => fields.TryGetValue(name, out var v) ? v : 0;
        return new DomainJobInfo(stats.Type)
        {
            Operation = (DomainJobOperation)(int)Get(JobFields.Operation),
            TimeElapsed = Get(JobFields.TimeElapsed),
            TimeRemaining = Get(JobFields.TimeRemaining),
            DataTotal = Get(JobFields.DataTotal),
            DataProcessed = Get(JobFields.DataProcessed),
            DataRemaining = Get(JobFields.DataRemaining),
            MemTotal = Get(JobFields.MemoryTotal),
            MemProcessed = Get(JobFields.MemoryProcessed),
            MemRemaining = Get(JobFields.MemoryRemaining),
            FileTotal = Get(JobFields.DiskTotal),
            FileProcessed = Get(JobFields.DiskProcessed),
            FileRemaining = Get(JobFields.DiskRemaining),
        };
    }
}

/// <summary>libvirt's VIR_DOMAIN_JOB_* typed parameter names.</summary>
public static class JobFields
{
    public const string Operation = "operation";
    public const string TimeElapsed = "time_elapsed";
    public const string TimeRemaining = "time_remaining";
    public const string Downtime = "downtime";
    public const string SetupTime = "setup_time";
    public const string DataTotal = "data_total";
    public const string DataProcessed = "data_processed";
    public const string DataRemaining = "data_remaining";
    public const string MemoryTotal = "memory_total";
    public const string MemoryProcessed = "memory_processed";
    public const string MemoryRemaining = "memory_remaining";
    public const string MemoryConstant = "memory_constant";
    public const string MemoryNormal = "memory_normal";
    public const string MemoryNormalBytes = "memory_normal_bytes";
    public const string MemoryBps = "memory_bps";
    public const string MemoryDirtyRate = "memory_dirty_rate";
    public const string MemoryPageSize = "memory_page_size";
    public const string MemoryIteration = "memory_iteration";
    public const string MemoryPostcopyRequests = "memory_postcopy_requests";
    public const string DiskTotal = "disk_total";
    public const string DiskProcessed = "disk_processed";
    public const string DiskRemaining = "disk_remaining";
}
