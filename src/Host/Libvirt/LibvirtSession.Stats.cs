using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainQueries;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Statistics: bulk (virsh domstats) and the per-device views (domblkstat, domifstat, domblkinfo, dommemstat), all from
// the one stats query, so both protocols answer alike.
internal sealed partial class LibvirtSession
{
    /// <summary>REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX and REMOTE_DOMAIN_MEMORY_STATS_MAX.</summary>
    private const int BlockStatsParametersMax = 16;
    private const int MemoryStatsMax = 1024;

    private async Task<XdrWriter?> GetAllDomainStatsAsync(XdrReader args, CancellationToken ct)
    {
        var count = args.Count(P.DomainListMax, "doms");
        var doms = new List<DomainRef>(count);
        for (var i = 0; i < count; i++)
            doms.Add(ReadDom(args, "doms"));
        var groups = (DomainStatsGroups)args.UInt("stats");
        var flags = args.UInt("flags");
        args.End("get all domain stats");
        var list = await CallAsync<DomainStatsList>(new GetDomainStats(doms, groups, StatsFilter(flags)), ct).ConfigureAwait(false);
        var w = new XdrWriter().UInt((uint)list.Records.Count);
        foreach (var record in list.Records)
        {
            new RemoteDomain(record.Name.Value, record.Uuid.Value, record.Id ?? -1).Write(w);
            TypedParameters.Write(w, record.Fields);
        }
        return w;
    }

    /// <summary>VIR_CONNECT_GET_ALL_DOMAINS_STATS_*: the list filters share virConnectListAllDomains' bits; ENFORCE, BACKING and NOWAIT do not filter.</summary>
    private static ListDomainsFlags StatsFilter(uint flags) => (ListDomainsFlags)(flags & 0xFF);

    private async Task<DomainStatsRecord> RunningRecordAsync(DomainRef dom, DomainStatsGroups groups, CancellationToken ct) =>
        DomainStatsViews.Running((await CallAsync<DomainStatsList>(new GetDomainStats([dom], groups), ct).ConfigureAwait(false)).Records[0]);

    /// <summary>The old fixed struct: rd_req, rd_bytes, wr_req, wr_bytes, errs (-1: QEMU keeps no error count).</summary>
    private async Task<XdrWriter?> BlockStatsAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var path = args.String(P.StringMax, "path");
        args.End("block stats");
        var stats = DomainStatsViews.BlockStats(await RunningRecordAsync(dom, DomainStatsGroups.Block, ct).ConfigureAwait(false), path);
        long Get(string field) => (long)stats.First(s => s.Field == field).Number;
        return new XdrWriter().Hyper(Get("rd_operations")).Hyper(Get("rd_bytes")).Hyper(Get("wr_operations")).Hyper(Get("wr_bytes")).Hyper(-1);
    }

    /// <summary>Typed parameters; asked with nparams 0 it answers how many there are, as libvirt's servers do.</summary>
    private async Task<XdrWriter?> BlockStatsFlagsAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var path = args.String(P.StringMax, "path");
        var nparams = args.Int("nparams");
        _ = args.UInt("flags");
        args.End("block stats flags");
        if (nparams > BlockStatsParametersMax)
            throw new VirtException(ErrorCode.InternalError, "nparams too large");
        var stats = DomainStatsViews.BlockStats(await RunningRecordAsync(dom, DomainStatsGroups.Block, ct).ConfigureAwait(false), path);
        if (nparams == 0)
            return TypedParameters.Write(new XdrWriter(), []).Int(stats.Count);
        var sent = stats.Take(nparams).ToList();
        return TypedParameters.Write(new XdrWriter(), sent).Int(sent.Count);
    }

    private async Task<XdrWriter?> InterfaceStatsAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var device = args.String(P.StringMax, "device");
        args.End("interface stats");
        var s = DomainStatsViews.InterfaceStats(await RunningRecordAsync(dom, DomainStatsGroups.Interface, ct).ConfigureAwait(false), device);
        return new XdrWriter().Hyper(s.RxBytes).Hyper(s.RxPackets).Hyper(s.RxErrs).Hyper(s.RxDrop)
            .Hyper(s.TxBytes).Hyper(s.TxPackets).Hyper(s.TxErrs).Hyper(s.TxDrop);
    }

    /// <summary>Of a shut-off domain too, as libvirt: its files are read then.</summary>
    private async Task<XdrWriter?> GetBlockInfoAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var path = args.String(P.StringMax, "path");
        _ = args.UInt("flags");
        args.End("get block info");
        var record = (await CallAsync<DomainStatsList>(new GetDomainStats([dom], DomainStatsGroups.Block), ct).ConfigureAwait(false)).Records[0];
        var (capacity, allocation, physical) = DomainStatsViews.BlockInfo(record, path);
        return new XdrWriter().UHyper(allocation).UHyper(capacity).UHyper(physical);
    }

    private async Task<XdrWriter?> MemoryStatsAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var max = args.UInt("maxStats");
        _ = args.UInt("flags");
        args.End("memory stats");
        if (max > MemoryStatsMax)
            throw new VirtException(ErrorCode.InternalError, "maxStats too large");
        var stats = (await CallAsync<MemoryStats>(new GetMemoryStats(dom), ct).ConfigureAwait(false)).Stats.Take((int)max).ToList();
        var w = new XdrWriter().UInt((uint)stats.Count);
        foreach (var stat in stats)
            w.Int((int)stat.Tag).UHyper(stat.Value);
        return w;
    }

    /// <summary>
    /// virDomainGetCPUStats. The total (start_cpu -1) is the domain's CPU time from /proc; per host CPU there is nothing
    /// to report without cgroups, so that query answers no parameters and virsh says "No per-CPU stats available", as
    /// with libvirt when it has no CPU accounting.
    /// </summary>
    private async Task<XdrWriter?> GetCpuStatsAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var nparams = args.UInt("nparams");
        var startCpu = args.Int("start_cpu");
        var ncpus = args.UInt("ncpus");
        _ = args.UInt("flags");
        args.End("get cpu stats");
        var record = await RunningRecordAsync(dom, DomainStatsGroups.CpuTotal, ct).ConfigureAwait(false);
        if (startCpu != -1)
        {
            // nparams 0 and ncpus 0 asks how many host CPUs there are; with ncpus, how many parameters each has: none.
            var answer = nparams == 0 && ncpus == 0 ? Environment.ProcessorCount : 0;
            return TypedParameters.Write(new XdrWriter(), []).Int(answer);
        }
        var total = DomainStatsViews.CpuTotal(record);
        if (nparams == 0)
            return TypedParameters.Write(new XdrWriter(), []).Int(total.Count);
        var sent = total.Take((int)Math.Min(nparams, (uint)total.Count)).ToList();
        return TypedParameters.Write(new XdrWriter(), sent).Int(sent.Count);
    }
}
