using Virt.Supervisor.Host;

namespace Virt.Supervisor.Tests.Host;

/// <summary>The meminfo fields libvirt's virHostMemGetStatsLinux takes, from the host's file and a NUMA node's.</summary>
public sealed class NodeMemoryTests
{
    [Fact]
    public void The_hosts_meminfo_gives_total_free_buffers_and_cached_in_file_order()
    {
        string[] lines = ["MemTotal:        7431928 kB", "MemFree:         5241380 kB", "MemAvailable:    6000000 kB",
            "Buffers:           12345 kB", "Cached:           999999 kB", "SwapCached:            7 kB"];
        Assert.Equal([new("total", 7431928UL), new("free", 5241380UL), new("buffers", 12345UL), new("cached", 999999UL)],
            NodeMemory.Parse(lines, NodeMemory.FieldCount(NodeMemory.AllCells)));
    }

    [Fact]
    public void A_nodes_meminfo_loses_its_prefix_and_gives_the_first_two()
    {
        string[] lines = ["Node 0 MemTotal:        7431928 kB", "Node 0 MemFree:         5241380 kB", "Node 0 MemUsed:         2190548 kB"];
        Assert.Equal([new("total", 7431928UL), new("free", 5241380UL)], NodeMemory.Parse(lines, NodeMemory.FieldCount(0)));
    }

    [Fact]
    public void The_real_hosts_file_has_all_four()
    {
        Assert.Equal(["total", "free", "buffers", "cached"], NodeMemory.Read(NodeMemory.AllCells).Select(s => s.Key));
    }
}
