namespace Virt.Supervisor.CommandLine;

/// <summary>The x86 machine families the builder knows how to lay devices out on.</summary>
internal enum MachineFamily { I440fx, Q35 }

internal static class MachineFamilies
{
    /// <summary>Family of a canonical machine name from query-machines (pc-i440fx-7.2, pc-q35-7.2, pc-1.0...).</summary>
    public static MachineFamily? Of(string canonicalName) =>
        canonicalName.StartsWith("pc-q35", StringComparison.Ordinal) || canonicalName == "q35" ? MachineFamily.Q35
        : canonicalName == "pc" || canonicalName.StartsWith("pc-", StringComparison.Ordinal) ? MachineFamily.I440fx
        : null;

    public static string PciRootBus(this MachineFamily family) => family == MachineFamily.Q35 ? "pcie.0" : "pci.0";
}
