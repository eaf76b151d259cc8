using System.Text.Json;
using Virt.Cli.Output;
using Virt.Protocol.Events;
using static Virt.Cli.Tests.Domains;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Tests;

/// <summary>dominfo, domstate and domid output.</summary>
public sealed class DomainOutputTests
{
    [Fact]
    public void Dominfo_is_virsh_key_value_layout_with_keys_padded_to_fifteen()
    {
        var info = new DomainInfo(Running("vm1", 3), MaxMemoryKiB: 1048576, MemoryKiB: 524288, Vcpus: 2, CpuTimeNs: 12_340_000_000);

        Assert.Equal(
            "Id:             3\n" +
            "Name:           vm1\n" +
            "UUID:           11111111-2222-3333-4444-555555555555\n" +
            "OS Type:        hvm\n" +
            "State:          running\n" +
            "CPU(s):         2\n" +
            "CPU time:       12.3s\n" +
            "Max memory:     1048576 KiB\n" +
            "Used memory:    524288 KiB\n" +
            "Persistent:     yes\n" +
            "Autostart:      disable\n" +
            "Managed save:   no\n",
            DomainText.Info(info));
    }

    [Fact]
    public void Dominfo_of_an_inactive_domain_has_a_dash_id_and_no_cpu_time()
    {
        var text = DomainText.Info(new DomainInfo(ShutOff("vm2"), 2048, 2048, 1, 0));
        Assert.StartsWith("Id:             -\n", text);
        Assert.Contains("State:          shut off\n", text);
        Assert.DoesNotContain("CPU time", text);
    }

    [Fact]
    public void Dominfo_json_carries_the_numbers()
    {
        using var doc = JsonDocument.Parse(DomainJson.Info(new DomainInfo(Running("vm1", 3), 4096, 2048, 4, 5)));
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("id").GetInt32());
        Assert.Equal(4096UL, root.GetProperty("maxMemoryKiB").GetUInt64());
        Assert.Equal(2048UL, root.GetProperty("usedMemoryKiB").GetUInt64());
        Assert.Equal(4, root.GetProperty("cpus").GetInt32());
        Assert.Equal(5UL, root.GetProperty("cpuTimeNs").GetUInt64());
        Assert.Equal("hvm", root.GetProperty("osType").GetString());
    }

    [Theory]
    [InlineData(DomainState.Running, (int)RunningReason.Booted, "running", "running (booted)")]
    [InlineData(DomainState.Shutoff, (int)ShutoffReason.Destroyed, "shut off", "shut off (destroyed)")]
    [InlineData(DomainState.Paused, (int)PausedReason.User, "paused", "paused (user)")]
    [InlineData(DomainState.Shutoff, (int)ShutoffReason.Shutdown, "shut off", "shut off (shutdown)")]
    public void Domstate_prints_the_state_and_with_reason_the_reason_in_parentheses(DomainState state, int reason, string plain, string withReason)
    {
        var d = ShutOff("vm") with { State = state, Reason = reason };
        Assert.Equal(plain + "\n", DomainText.State(d, reason: false));
        Assert.Equal(withReason + "\n", DomainText.State(d, reason: true));

        using var doc = JsonDocument.Parse(DomainJson.State(d));
        Assert.Equal(plain, doc.RootElement.GetProperty("state").GetString());
        Assert.Equal(withReason[(plain.Length + 2)..^1], doc.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public void Domid_is_the_number_or_a_dash()
    {
        Assert.Equal("5", DomainText.IdText(Running("vm", 5)));
        Assert.Equal("-", DomainText.IdText(ShutOff("vm")));
        using var doc = JsonDocument.Parse(DomainJson.Id(ShutOff("vm")));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("id").ValueKind);
    }
}
