using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainQueries;

namespace Virt.Protocol.Api;

/// <summary>
/// The per-device views libvirt gives besides its bulk stats (domblkstat, domifstat, domblkinfo), read from one
/// domain's stats record, so both protocols answer them alike and from one source.
/// </summary>
public static class DomainStatsViews
{
    /// <summary>The record of a running domain: libvirt refuses the per-device views of a shut-off one.</summary>
    public static DomainStatsRecord Running(DomainStatsRecord record) =>
        record.Id is null ? throw new VirtException(ErrorCode.OperationInvalid, "domain is not running") : record;

    /// <summary>
    /// virDomainBlockStatsFlags: one disk by target or source path, or with an empty device the sum over all disks,
    /// as libvirt's names (LLONG), in libvirt's order.
    /// </summary>
    public static IReadOnlyList<TypedParameter> BlockStats(DomainStatsRecord record, string device)
    {
        var indexes = device.Length == 0 ? Indexes(record, "block") : [DiskIndex(record, device)];
        ulong Sum(string name) => indexes.Aggregate(0UL, (total, i) => total + (Find(record, $"block.{i}.{name}")?.Number ?? 0));
        return
        [
            TypedParameter.LLong("wr_bytes", (long)Sum("wr.bytes")),
            TypedParameter.LLong("wr_operations", (long)Sum("wr.reqs")),
            TypedParameter.LLong("rd_bytes", (long)Sum("rd.bytes")),
            TypedParameter.LLong("rd_operations", (long)Sum("rd.reqs")),
            TypedParameter.LLong("flush_operations", (long)Sum("fl.reqs")),
            TypedParameter.LLong("wr_total_times", (long)Sum("wr.times")),
            TypedParameter.LLong("rd_total_times", (long)Sum("rd.times")),
            TypedParameter.LLong("flush_total_times", (long)Sum("fl.times")),
        ];
    }

    /// <summary>virDomainGetBlockInfo: capacity, allocation and physical size of one disk, by target or source path.</summary>
    public static (ulong Capacity, ulong Allocation, ulong Physical) BlockInfo(DomainStatsRecord record, string device)
    {
        var i = DiskIndex(record, device);
        ulong Get(string name) => Find(record, $"block.{i}.{name}")?.Number ?? 0;
        return (Get("capacity"), Get("allocation"), Get("physical"));
    }

    /// <summary>virDomainInterfaceStats: one interface by its host device name, guest's view (rx is what it received).</summary>
    public static (long RxBytes, long RxPackets, long RxErrs, long RxDrop, long TxBytes, long TxPackets, long TxErrs, long TxDrop) InterfaceStats(
        DomainStatsRecord record, string device)
    {
        var i = Indexes(record, "net").FirstOrDefault(i => Find(record, $"net.{i}.name")?.Text == device, -1);
        if (i < 0)
            throw new VirtException(ErrorCode.InvalidArg, $"'{device}' is not a known interface");
        long Get(string name) => Find(record, $"net.{i}.{name}") is { } p ? (long)p.Number : -1;
        return (Get("rx.bytes"), Get("rx.pkts"), Get("rx.errs"), Get("rx.drop"), Get("tx.bytes"), Get("tx.pkts"), Get("tx.errs"), Get("tx.drop"));
    }

    /// <summary>virDomainGetCPUStats' total: the domain's CPU time, user and system, in ns (libvirt's cpu_time, user_time, system_time).</summary>
    public static IReadOnlyList<TypedParameter> CpuTotal(DomainStatsRecord record) =>
    [
        TypedParameter.ULLong("cpu_time", Find(record, "cpu.time")?.Number ?? 0),
        TypedParameter.ULLong("user_time", Find(record, "cpu.user")?.Number ?? 0),
        TypedParameter.ULLong("system_time", Find(record, "cpu.system")?.Number ?? 0),
    ];

    private static int DiskIndex(DomainStatsRecord record, string device)
    {
        foreach (var i in Indexes(record, "block"))
        {
            if (Find(record, $"block.{i}.name")?.Text == device || Find(record, $"block.{i}.path")?.Text == device)
                return i;
        }
        throw new VirtException(ErrorCode.InvalidArg, $"invalid path: {device}");
    }

    /// <summary>0 .. PREFIX.count - 1.</summary>
    private static List<int> Indexes(DomainStatsRecord record, string prefix) =>
        [.. Enumerable.Range(0, (int)(Find(record, $"{prefix}.count")?.Number ?? 0))];

    private static TypedParameter? Find(DomainStatsRecord record, string field) => record.Fields.FirstOrDefault(f => f.Field == field);
}
