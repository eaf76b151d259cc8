using System.Text.Json;
using Virt.Protocol.Api;
using Virt.Supervisor.Save;

namespace Virt.Supervisor.Tests.Save;

public sealed class MigrationJobStatsTests
{
    private static Dictionary<string, ulong> Fields(string json, ulong elapsed = 40) =>
        MigrationJobStats.From(JsonDocument.Parse(json).RootElement, DomainJobOperation.Save, elapsed).ToDictionary(f => f.Field, f => f.Number);

    [Fact]
    public void An_active_save_reports_its_ram_figures_and_the_expected_downtime_as_libvirt_names_them()
    {
        var f = Fields("""
            {"status":"active","setup-time":3,"expected-downtime":300,"total-time":40,
             "ram":{"total":268435456,"transferred":1048576,"remaining":267386880,"duplicate":100,"normal":256,
                    "normal-bytes":1048576,"dirty-pages-rate":0,"mbps":8.0,"dirty-sync-count":1,"postcopy-requests":0,"page-size":4096}}
            """);
        Assert.Equal(2UL, f[JobFields.Operation]);
        Assert.Equal(40UL, f[JobFields.TimeElapsed]);
        Assert.Equal(300UL, f[JobFields.Downtime]);
        Assert.Equal(3UL, f[JobFields.SetupTime]);
        Assert.Equal(268435456UL, f[JobFields.DataTotal]);
        Assert.Equal(f[JobFields.DataTotal], f[JobFields.MemoryTotal]);
        Assert.Equal(267386880UL, f[JobFields.MemoryRemaining]);
        Assert.Equal(1_000_000UL, f[JobFields.MemoryBps]); // 8 Mbit/s
        Assert.Equal(100UL, f[JobFields.MemoryConstant]);
        Assert.Equal(4096UL, f[JobFields.MemoryPageSize]);
    }

    [Fact]
    public void A_completed_save_reports_the_measured_downtime_and_a_migration_not_begun_reports_zeros()
    {
        var done = Fields("""{"status":"completed","downtime":12,"expected-downtime":99,"ram":{"total":10,"transferred":10,"remaining":0}}""");
        Assert.Equal(12UL, done[JobFields.Downtime]);
        Assert.False(done.ContainsKey(JobFields.MemoryBps));
        Assert.False(done.ContainsKey(JobFields.MemoryConstant));

        var none = Fields("{}");
        Assert.Equal(0UL, none[JobFields.DataTotal]);
        Assert.False(none.ContainsKey(JobFields.Downtime));
    }
}
