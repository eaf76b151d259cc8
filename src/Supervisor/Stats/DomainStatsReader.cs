using System.Text.Json;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.CommandLine;
using Virt.Supervisor.Native;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.Storage;
using static Virt.Protocol.Api.TypedParameter;

namespace Virt.Supervisor.Stats;

/// <summary>
/// libvirt's per-domain statistics (virsh domstats) with its field names and order, from QMP (query-blockstats,
/// query-block, query-cpus-fast the first time, query-balloon, sent together: one round trip) and /proc. What QEMU or the
/// host cannot tell is left out, as libvirt leaves it out; a query that fails costs its group's figures, never the record.
/// </summary>
public static class DomainStatsReader
{
    /// <param name="vcpuThreads">The vCPU threads of this QEMU, learnt by the first query that needs them (they stay for its life).</param>
    public static async Task<IReadOnlyList<TypedParameter>> ReadLiveAsync(QmpClient qmp, int pid, DomainDefinition live,
        DomainStatsGroups groups, TimeSpan timeout, VcpuThreads vcpuThreads)
    {
        var hasBalloon = HasBalloon(live);
        var blockStats = groups.HasFlag(DomainStatsGroups.Block) ? TryQuery(qmp, "query-blockstats", timeout) : null;
        var blockDevices = groups.HasFlag(DomainStatsGroups.Block) ? TryQuery(qmp, "query-block", timeout) : null;
        var cpus = groups.HasFlag(DomainStatsGroups.Vcpu) && vcpuThreads.Known is null ? TryQuery(qmp, "query-cpus-fast", timeout) : null;
        var balloon = groups.HasFlag(DomainStatsGroups.Balloon) && hasBalloon ? TryQuery(qmp, "query-balloon", timeout) : null;
        var fields = new List<TypedParameter>();
        var process = ProcFs.ReadStat(pid);
        if (groups.HasFlag(DomainStatsGroups.CpuTotal) && process is not null)
        {
            fields.Add(ULLong("cpu.time", process.CpuNanoseconds));
            fields.Add(ULLong("cpu.user", process.UserNanoseconds));
            fields.Add(ULLong("cpu.system", process.SystemNanoseconds));
        }
        if (groups.HasFlag(DomainStatsGroups.Balloon))
        {
            var actual = balloon is null ? null : BalloonKiB(await balloon.ConfigureAwait(false));
            fields.Add(ULLong("balloon.current", actual ?? CurrentMemory(live)));
            fields.Add(ULLong("balloon.maximum", live.MemoryKiB));
            if (process is not null)
                fields.Add(ULLong("balloon.rss", process.RssKiB));
        }
        if (groups.HasFlag(DomainStatsGroups.Vcpu))
        {
            if (cpus is not null && VcpuThreads.Parse(await cpus.ConfigureAwait(false)) is { } learnt)
                vcpuThreads.Known = learnt;
            AddVcpus(fields, pid, live, vcpuThreads.Known);
        }
        if (groups.HasFlag(DomainStatsGroups.Interface))
            AddInterfaces(fields, live);
        if (groups.HasFlag(DomainStatsGroups.Block))
            AddLiveBlocks(fields, live, await blockStats!.ConfigureAwait(false), await blockDevices!.ConfigureAwait(false));
        return fields;
    }

    /// <summary>What a shut-off domain has to show: its config's memory and vCPUs, and its disks as their files are now.</summary>
    public static IReadOnlyList<TypedParameter> ReadInactive(DomainDefinition config, DomainStatsGroups groups)
    {
        var fields = new List<TypedParameter>();
        if (groups.HasFlag(DomainStatsGroups.Balloon))
        {
            fields.Add(ULLong("balloon.current", CurrentMemory(config)));
            fields.Add(ULLong("balloon.maximum", config.MemoryKiB));
        }
        if (groups.HasFlag(DomainStatsGroups.Vcpu))
        {
            fields.Add(UInt("vcpu.current", (uint)config.Vcpu.Count));
            fields.Add(UInt("vcpu.maximum", (uint)config.Vcpu.Count));
        }
        if (groups.HasFlag(DomainStatsGroups.Block))
        {
            var disks = config.Devices.Disks;
            fields.Add(UInt("block.count", (uint)disks.Count));
            for (var i = 0; i < disks.Count; i++)
            {
                AddBlockHeader(fields, i, disks[i]);
                if (disks[i].SourcePath is { } path && VolumeFiles.Describe(path) is { } volume)
                {
                    fields.Add(ULLong($"block.{i}.allocation", volume.AllocationBytes));
                    fields.Add(ULLong($"block.{i}.capacity", volume.CapacityBytes));
                    fields.Add(ULLong($"block.{i}.physical", PhysicalSize(path) ?? volume.AllocationBytes));
                }
            }
        }
        return fields;
    }

    /// <summary>virsh dommemstat: the balloon's size when the domain has one, and QEMU's resident memory.</summary>
    public static async Task<IReadOnlyList<MemoryStat>> ReadMemoryAsync(QmpClient qmp, int pid, DomainDefinition live, TimeSpan timeout)
    {
        var stats = new List<MemoryStat>();
        if (HasBalloon(live) && BalloonKiB(await TryQuery(qmp, "query-balloon", timeout).ConfigureAwait(false)) is { } actual)
            stats.Add(new MemoryStat(MemoryStatTag.Actual, actual));
        if (ProcFs.ReadStat(pid) is { } process)
            stats.Add(new MemoryStat(MemoryStatTag.Rss, process.RssKiB));
        return stats;
    }

    public static bool HasBalloon(DomainDefinition d) => d.Devices.Memballoon is { Model: not "none" };

    /// <summary>query-balloon's "actual" (bytes) in KiB.</summary>
    private static ulong? BalloonKiB(JsonElement? reply) =>
        reply is { } r && r.TryGetProperty("actual", out var actual) && actual.TryGetUInt64(out var bytes) ? bytes / 1024 : null;

    private static ulong CurrentMemory(DomainDefinition d) => d.CurrentMemoryKiB == 0 ? d.MemoryKiB : d.CurrentMemoryKiB;

    private static async Task<JsonElement?> TryQuery(QmpClient qmp, string command, TimeSpan timeout, object? arguments = null)
    {
        try
        {
            return await qmp.ExecuteAsync(command, arguments, timeout).ConfigureAwait(false);
        }
        catch (VirtException)
        {
            return null; // as libvirt: figures QEMU cannot give now are left out
        }
    }

    /// <summary>vcpu.current/maximum, then per vCPU its state, CPU time and run-queue delay from its thread in /proc.</summary>
    private static void AddVcpus(List<TypedParameter> fields, int pid, DomainDefinition live, IReadOnlyList<(int Index, int Thread)>? threads)
    {
        fields.Add(UInt("vcpu.current", (uint)live.Vcpu.Count));
        fields.Add(UInt("vcpu.maximum", (uint)live.Vcpu.Count));
        foreach (var (n, tid) in threads ?? [])
        {
            fields.Add(Int($"vcpu.{n}.state", 1)); // VIR_VCPU_RUNNING: QEMU lists the vCPUs that exist
            fields.Add(ULLong($"vcpu.{n}.time", ProcFs.ReadThreadStat(pid, tid)?.CpuNanoseconds ?? 0));
            fields.Add(ULLong($"vcpu.{n}.delay", ProcFs.ReadThreadRunDelay(pid, tid)));
        }
    }

    /// <summary>net.count, and for each interface with a host tap its name and counters, seen from the guest (rx is what the tap sent).</summary>
    private static void AddInterfaces(List<TypedParameter> fields, DomainDefinition live)
    {
        var nics = live.Devices.Interfaces;
        fields.Add(UInt("net.count", (uint)nics.Count));
        var counters = nics.Any(n => n.TargetDev is not null) ? NetDevCounters.ReadAll() : null;
        for (var i = 0; i < nics.Count; i++)
        {
            if (nics[i].TargetDev is not { } tap)
                continue;
            fields.Add(String($"net.{i}.name", tap));
            if (counters is null || !counters.TryGetValue(tap, out var c))
                continue;
            fields.Add(ULLong($"net.{i}.rx.bytes", c.TxBytes));
            fields.Add(ULLong($"net.{i}.rx.pkts", c.TxPackets));
            fields.Add(ULLong($"net.{i}.rx.errs", c.TxErrors));
            fields.Add(ULLong($"net.{i}.rx.drop", c.TxDrops));
            fields.Add(ULLong($"net.{i}.tx.bytes", c.RxBytes));
            fields.Add(ULLong($"net.{i}.tx.pkts", c.RxPackets));
            fields.Add(ULLong($"net.{i}.tx.errs", c.RxErrors));
            fields.Add(ULLong($"net.{i}.tx.drop", c.RxDrops));
        }
    }

    private static void AddBlockHeader(List<TypedParameter> fields, int i, DiskDevice disk)
    {
        fields.Add(String($"block.{i}.name", disk.TargetDev));
        if (disk.SourcePath is { } path)
            fields.Add(String($"block.{i}.path", path));
    }

    /// <summary>
    /// Per disk, by the node names the start gave it: the front end's request counters and times, the highest offset
    /// written (libvirt's allocation of a running disk), the image's virtual size and the file's size.
    /// </summary>
    private static void AddLiveBlocks(List<TypedParameter> fields, DomainDefinition live, JsonElement? blockStats, JsonElement? blockDevices)
    {
        var disks = live.Devices.Disks;
        fields.Add(UInt("block.count", (uint)disks.Count));
        var statsByNode = ByNodeName(blockStats);
        var (nodeByFile, sizeByNode) = Live.BlockRoots.Read(blockDevices);
        for (var i = 0; i < disks.Count; i++)
        {
            AddBlockHeader(fields, i, disks[i]);
            // By the image QEMU has in the drive (right after hot-plug and media changes too), else by the start's numbering.
            var number = DiskNodeNames.Number(i, disks.Count);
            var byFile = disks[i].SourcePath is { } source && nodeByFile.TryGetValue(source, out var root) ? root : null;
            if (!(byFile is not null && statsByNode.TryGetValue(byFile, out var entry))
                && !statsByNode.TryGetValue(DiskNodeNames.Format(number), out entry) && !statsByNode.TryGetValue(DiskNodeNames.Storage(number), out entry))
                continue;
            if (!entry.TryGetProperty("stats", out var s))
                continue;
            fields.Add(ULLong($"block.{i}.rd.reqs", Number(s, "rd_operations")));
            fields.Add(ULLong($"block.{i}.rd.bytes", Number(s, "rd_bytes")));
            fields.Add(ULLong($"block.{i}.rd.times", Number(s, "rd_total_time_ns")));
            fields.Add(ULLong($"block.{i}.wr.reqs", Number(s, "wr_operations")));
            fields.Add(ULLong($"block.{i}.wr.bytes", Number(s, "wr_bytes")));
            fields.Add(ULLong($"block.{i}.wr.times", Number(s, "wr_total_time_ns")));
            fields.Add(ULLong($"block.{i}.fl.reqs", Number(s, "flush_operations")));
            fields.Add(ULLong($"block.{i}.fl.times", Number(s, "flush_total_time_ns")));
            fields.Add(ULLong($"block.{i}.allocation", Number(s, "wr_highest_offset")));
            if (sizeByNode.TryGetValue(entry.GetProperty("node-name").GetString()!, out var size))
                fields.Add(ULLong($"block.{i}.capacity", size));
            if (disks[i].SourcePath is { } path && PhysicalSize(path) is { } physical)
                fields.Add(ULLong($"block.{i}.physical", physical));
        }
    }

    private static Dictionary<string, JsonElement> ByNodeName(JsonElement? list)
    {
        var byName = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (list is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (item.TryGetProperty("node-name", out var name) && name.GetString() is { Length: > 0 } n)
                    byName.TryAdd(n, item);
            }
        }
        return byName;
    }

    private static ulong Number(JsonElement stats, string name) =>
        stats.TryGetProperty(name, out var v) && v.TryGetUInt64(out var n) ? n : 0;

    /// <summary>The file's size on the host (libvirt's physical for a file disk); null when it cannot be statted.</summary>
    private static ulong? PhysicalSize(string path)
    {
        try
        {
            return NativeFiles.StatFile(path).Size;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
