using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainQueries;

namespace Virt.Protocol.Tests.Libvirt;

/// <summary>Typed parameters on libvirt's wire, and the per-device views read from a stats record.</summary>
public sealed class DomainStatsWireTests
{
    private static readonly DomainStatsRecord Record = new(new DomainName("vm"), new DomainUuid(Guid.NewGuid()), 1,
    [
        TypedParameter.Int("state.state", 1),
        TypedParameter.UInt("block.count", 2),
        TypedParameter.String("block.0.name", "vda"),
        TypedParameter.String("block.0.path", "/images/a.qcow2"),
        TypedParameter.ULLong("block.0.rd.reqs", 10),
        TypedParameter.ULLong("block.0.capacity", 4096),
        TypedParameter.String("block.1.name", "vdb"),
        TypedParameter.ULLong("block.1.rd.reqs", 5),
        TypedParameter.UInt("net.count", 1),
        TypedParameter.String("net.0.name", "vnet0"),
        TypedParameter.ULLong("net.0.rx.bytes", 300),
    ]);

    [Fact]
    public void Each_kind_is_written_as_its_union_arm()
    {
        var w = TypedParameters.Write(new XdrWriter(), [TypedParameter.Int("a", -1), TypedParameter.ULLong("b", 1UL << 40), TypedParameter.String("c", "x"), TypedParameter.Boolean("d", true)]);
        var r = new XdrReader(w.Written.ToArray());
        Assert.Equal(4, r.Count(10));
        Assert.Equal(("a", 1, -1), (r.String(10), r.Int(), r.Int()));
        Assert.Equal(("b", 4, 1UL << 40), (r.String(10), r.Int(), r.UHyper()));
        Assert.Equal(("c", 7, "x"), (r.String(10), r.Int(), r.String(10)));
        Assert.Equal(("d", 6, 1), (r.String(10), r.Int(), r.Int()));
        r.End("params");
    }

    [Fact]
    public void Block_stats_of_one_disk_by_target_or_path_and_of_all_disks_summed()
    {
        long Reads(IReadOnlyList<TypedParameter> stats) => (long)stats.Single(s => s.Field == "rd_operations").Number;
        Assert.Equal(10, Reads(DomainStatsViews.BlockStats(Record, "vda")));
        Assert.Equal(10, Reads(DomainStatsViews.BlockStats(Record, "/images/a.qcow2")));
        Assert.Equal(15, Reads(DomainStatsViews.BlockStats(Record, "")));
        Assert.Equal("invalid path: vdz", Assert.Throws<VirtException>(() => DomainStatsViews.BlockStats(Record, "vdz")).Message);
        Assert.Equal((4096UL, 0UL, 0UL), DomainStatsViews.BlockInfo(Record, "vda"));
    }

    [Fact]
    public void Interface_stats_by_host_device_name_with_unknown_counters_as_minus_one()
    {
        var s = DomainStatsViews.InterfaceStats(Record, "vnet0");
        Assert.Equal((300L, -1L), (s.RxBytes, s.TxBytes));
        Assert.Equal(ErrorCode.InvalidArg, Assert.Throws<VirtException>(() => DomainStatsViews.InterfaceStats(Record, "vnet1")).Code);
    }
}
