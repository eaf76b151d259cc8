using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Actors.Registry;

/// <summary>libvirt's rules for a domain's memory and vCPU count, on a definition; pure, so the config and live paths share them.</summary>
public static class ResourceChanges
{
    /// <summary>
    /// setmem: the current (balloon) size, never above the maximum. setmaxmem (<paramref name="maximum"/>): the maximum,
    /// with the current size brought down to it when it was larger.
    /// </summary>
    public static DomainDefinition WithMemory(DomainDefinition d, ulong kib, bool maximum)
    {
        if (kib == 0)
            throw new VirtException(ErrorCode.InvalidArg, "memory size must be greater than zero");
        if (maximum)
            return d with { MemoryKiB = kib, CurrentMemoryKiB = Math.Min(Current(d), kib) };
        if (kib > d.MemoryKiB)
            throw new VirtException(ErrorCode.InvalidArg, "cannot set memory higher than max memory");
        return d with { CurrentMemoryKiB = kib };
    }

    /// <summary>
    /// setvcpus --maximum sets the count the machine is built with. Without it the count may not exceed that maximum,
    /// and a count below it needs &lt;vcpu current&gt;, which Virt does not keep: refused rather than changing the maximum.
    /// </summary>
    public static DomainDefinition WithVcpus(DomainDefinition d, int count, bool maximum)
    {
        if (count < 1)
            throw new VirtException(ErrorCode.InvalidArg, "argument unsupported: zero vCPUs");
        if (maximum)
            return d with { Vcpu = d.Vcpu with { Count = count } };
        if (count > d.Vcpu.Count)
            throw new VirtException(ErrorCode.InvalidArg, $"requested vcpus is greater than max allowable vcpus for the persistent domain: {count} > {d.Vcpu.Count}");
        if (count < d.Vcpu.Count)
            throw new VirtException(ErrorCode.OperationUnsupported, $"a vCPU count below the maximum ({count} of {d.Vcpu.Count}) needs <vcpu current>, which is not supported; set the maximum with --maximum");
        return d;
    }

    /// <summary>What a change with <paramref name="flags"/> touches: current is the live domain when it runs, else its config.</summary>
    public static (bool Live, bool Config) Targets(DomainModificationFlags flags, bool active, bool persistent)
    {
        var live = flags.HasFlag(DomainModificationFlags.Live);
        var config = flags.HasFlag(DomainModificationFlags.Config);
        if (!live && !config)
            (live, config) = (active, !active);
        if (live && !active)
            throw new VirtException(ErrorCode.OperationInvalid, "domain is not running");
        if (config && !persistent)
            throw new VirtException(ErrorCode.OperationInvalid, "cannot change persistent config of a transient domain");
        return (live, config);
    }

    private static ulong Current(DomainDefinition d) => d.CurrentMemoryKiB == 0 ? d.MemoryKiB : d.CurrentMemoryKiB;
}
