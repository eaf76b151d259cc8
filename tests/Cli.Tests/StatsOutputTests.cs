using System.Text.Json;
using Virt.Cli.Commands;
using Virt.Protocol.Api;
using static Virt.Protocol.Api.DomainQueries;

namespace Virt.Cli.Tests;

public sealed class StatsOutputTests
{
    private static readonly DomainStatsList List = new(
    [
        new DomainStatsRecord(new DomainName("vm1"), new DomainUuid(Guid.NewGuid()), 1,
            [TypedParameter.Int("state.state", 1), TypedParameter.String("block.0.name", "vda"), TypedParameter.ULLong("block.0.rd.bytes", 4096), TypedParameter.Boolean("vcpu.0.halted", true)]),
        new DomainStatsRecord(new DomainName("vm2"), new DomainUuid(Guid.NewGuid()), null, [TypedParameter.Int("state.state", 5)]),
    ]);

    [Fact]
    public void Text_is_virshs_records_of_field_equals_value()
    {
        Assert.Equal("Domain: 'vm1'\n  state.state=1\n  block.0.name=vda\n  block.0.rd.bytes=4096\n  vcpu.0.halted=yes\n\nDomain: 'vm2'\n  state.state=5\n",
            StatsCommands.Text(List));
    }

    [Fact]
    public void Json_keeps_each_value_its_kind()
    {
        using var doc = JsonDocument.Parse(StatsCommands.Json(List));
        var stats = doc.RootElement[0].GetProperty("stats");
        Assert.Equal(1, stats.GetProperty("state.state").GetInt32());
        Assert.Equal("vda", stats.GetProperty("block.0.name").GetString());
        Assert.Equal(4096UL, stats.GetProperty("block.0.rd.bytes").GetUInt64());
        Assert.True(stats.GetProperty("vcpu.0.halted").GetBoolean());
        Assert.Equal("vm2", doc.RootElement[1].GetProperty("name").GetString());
    }
}
