using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Tests.Registry;

/// <summary>libvirt's rules for setmem, setmaxmem and setvcpus on a definition, and which of live and config a change touches.</summary>
public sealed class ResourceChangesTests
{
    private static readonly DomainDefinition Vm = new()
    {
        Name = "vm",
        Uuid = Guid.NewGuid(),
        MemoryKiB = 16384,
        CurrentMemoryKiB = 12288,
        Vcpu = new VcpuConfig { Count = 2 },
        Os = new OsConfig(),
    };

    [Fact]
    public void Setmem_stays_under_the_maximum_and_setmaxmem_brings_the_current_size_down_with_it()
    {
        Assert.Equal(8192UL, ResourceChanges.WithMemory(Vm, 8192, maximum: false).CurrentMemoryKiB);
        Assert.Equal(ErrorCode.InvalidArg, Assert.Throws<VirtException>(() => ResourceChanges.WithMemory(Vm, 32768, maximum: false)).Code);
        var smaller = ResourceChanges.WithMemory(Vm, 4096, maximum: true);
        Assert.Equal((4096UL, 4096UL), (smaller.MemoryKiB, smaller.CurrentMemoryKiB));
        var larger = ResourceChanges.WithMemory(Vm, 65536, maximum: true);
        Assert.Equal((65536UL, 12288UL), (larger.MemoryKiB, larger.CurrentMemoryKiB));
    }

    [Fact]
    public void Setvcpus_sets_the_maximum_or_refuses_what_the_definition_cannot_hold()
    {
        Assert.Equal(4, ResourceChanges.WithVcpus(Vm, 4, maximum: true).Vcpu.Count);
        Assert.Same(Vm, ResourceChanges.WithVcpus(Vm, 2, maximum: false));
        Assert.Contains("4 > 2", Assert.Throws<VirtException>(() => ResourceChanges.WithVcpus(Vm, 4, maximum: false)).Message);
        Assert.Equal(ErrorCode.OperationUnsupported, Assert.Throws<VirtException>(() => ResourceChanges.WithVcpus(Vm, 1, maximum: false)).Code);
        Assert.Throws<VirtException>(() => ResourceChanges.WithVcpus(Vm, 0, maximum: true));
    }

    [Theory]
    [InlineData(DomainModificationFlags.Current, true, true, true, false)]
    [InlineData(DomainModificationFlags.Current, false, true, false, true)]
    [InlineData(DomainModificationFlags.Live | DomainModificationFlags.Config, true, true, true, true)]
    [InlineData(DomainModificationFlags.Config, true, true, false, true)]
    public void Current_means_the_running_domain_when_it_runs(DomainModificationFlags flags, bool active, bool persistent, bool live, bool config)
    {
        Assert.Equal((live, config), ResourceChanges.Targets(flags, active, persistent));
    }

    [Fact]
    public void Live_needs_a_running_domain_and_config_a_persistent_one()
    {
        Assert.Contains("not running", Assert.Throws<VirtException>(() => ResourceChanges.Targets(DomainModificationFlags.Live, false, true)).Message);
        Assert.Contains("transient", Assert.Throws<VirtException>(() => ResourceChanges.Targets(DomainModificationFlags.Config, true, false)).Message);
    }
}
