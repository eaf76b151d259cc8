using Virt.Supervisor.Stats;

namespace Virt.Supervisor.Tests.Stats;

public sealed class NetDevCountersTests
{
    [Fact]
    public void Proc_net_dev_lines_give_the_receive_and_transmit_counters_by_interface()
    {
        const string text = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:    1200      12    0    0    0     0          0         0     1200      12    0    0    0     0       0          0
             vnet0: 5000 40 1 2 0 0 0 0 7000 50 3 4 0 0 0 0
            """;
        var all = NetDevCounters.Parse(text);
        Assert.Equal(["lo", "vnet0"], all.Keys.Order());
        Assert.Equal(new NetDevCounters(5000, 40, 1, 2, 7000, 50, 3, 4), all["vnet0"]);
    }

    [Fact]
    public void The_headers_and_a_torn_line_are_no_interfaces()
    {
        Assert.Empty(NetDevCounters.Parse("Inter-|   Receive\n face |bytes\n eth0: 12 x\n"));
    }
}
