using Virt.Protocol.Remote;
using Virt.Supervisor.Capabilities;

namespace Virt.Actors.Cluster;

/// <summary>Where a new domain goes with `--host auto`: the node with the most available memory among those that can run it.</summary>
public static class Placement
{
    public const string Auto = "auto";

    /// <summary>Why a node whose emulator probed as <paramref name="capabilities"/> cannot run the domain now, or null when it can.</summary>
    public static string? Refusal(ClusterMessages.AskCapacity domain, QemuCapabilities capabilities, ulong availableKiB)
    {
        if (domain.Machine is { } machine && capabilities.FindMachine(machine) is null)
            return $"its emulator {capabilities.EmulatorPath} has no machine type '{machine}'";
        if (domain.Kvm && !capabilities.KvmEnabled)
            return "it has no usable KVM";
        if (availableKiB < domain.MemoryKiB)
            return $"it has {availableKiB / 1024} MiB available, the domain needs {domain.MemoryKiB / 1024} MiB";
        return null;
    }

    /// <summary>The chosen node (ties go to the first name, so a choice is repeatable), or why none can take the domain.</summary>
    public static (string? Node, string? Error) Choose(IReadOnlyList<ClusterMessages.NodeCapacity> answers, int asked)
    {
        var able = answers.Where(a => a.Refusal is null).OrderByDescending(a => a.AvailableKiB).ThenBy(a => a.Node, StringComparer.Ordinal).FirstOrDefault();
        if (able is not null)
            return (able.Node, null);
        var reasons = answers.OrderBy(a => a.Node, StringComparer.Ordinal).Select(a => $"node {a.Node}: {a.Refusal}").ToList();
        if (answers.Count < asked)
            reasons.Add($"{asked - answers.Count} node(s) did not answer");
        return (null, $"no node of the cluster can run the domain ({string.Join("; ", reasons)})");
    }
}
