using Virt.Actors.Cluster;
using Virt.Supervisor.Capabilities;
using static Virt.Protocol.Remote.ClusterMessages;

namespace Virt.Actors.Tests.Cluster;

public sealed class PlacementTests
{
    private static readonly QemuCapabilities Qemu = new()
    {
        EmulatorPath = "/usr/bin/qemu-system-x86_64",
        Version = new Version(7, 2),
        Machines = [new MachineType("pc-i440fx-7.2", "pc", true, 255, false), new MachineType("pc-q35-7.2", "q35", false, 288, false)],
        KvmEnabled = false,
    };

    [Fact]
    public void The_node_with_the_most_available_memory_that_can_run_the_domain_is_chosen()
    {
        var (node, error) = Placement.Choose(
            [new NodeCapacity("a", 4_000_000, null), new NodeCapacity("b", 9_000_000, "it has no usable KVM"), new NodeCapacity("c", 6_000_000, null)], 3);
        Assert.Equal(("c", (string?)null), (node, error));
        Assert.Equal("a", Placement.Choose([new NodeCapacity("b", 1, null), new NodeCapacity("a", 1, null)], 2).Node);
    }

    [Fact]
    public void When_no_node_can_the_refusal_gives_each_nodes_reason_and_the_silent_ones()
    {
        var (node, error) = Placement.Choose([new NodeCapacity("b", 1, "it has no usable KVM"), new NodeCapacity("a", 1, "it has 0 MiB available")], 3);
        Assert.Null(node);
        Assert.Equal("no node of the cluster can run the domain (node a: it has 0 MiB available; node b: it has no usable KVM; 1 node(s) did not answer)", error);
    }

    [Theory]
    [InlineData(65536ul, "q35", false, 1_000_000ul, null)]
    [InlineData(65536ul, "pc-i440fx-0.1", false, 1_000_000ul, "its emulator /usr/bin/qemu-system-x86_64 has no machine type 'pc-i440fx-0.1'")]
    [InlineData(65536ul, null, true, 1_000_000ul, "it has no usable KVM")]
    [InlineData(2_097_152ul, null, false, 1_048_576ul, "it has 1024 MiB available, the domain needs 2048 MiB")]
    public void A_node_refuses_what_its_emulator_kvm_or_memory_cannot_run(ulong memoryKiB, string? machine, bool kvm, ulong availableKiB, string? refusal) =>
        Assert.Equal(refusal, Placement.Refusal(new AskCapacity(memoryKiB, null, machine, kvm), Qemu, availableKiB));
}
