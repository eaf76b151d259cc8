namespace Virt.Supervisor.Capabilities;

/// <summary>What one emulator binary can do, as probed over QMP.</summary>
public sealed record QemuCapabilities
{
    public required string EmulatorPath { get; init; }
    /// <summary>QEMU's version (major, minor, micro) from query-version.</summary>
    public required Version Version { get; init; }
    /// <summary>Distribution package string from query-version, e.g. "Debian 1:7.2+dfsg-7".</summary>
    public string? Package { get; init; }
    public IReadOnlyList<MachineType> Machines { get; init; } = [];
    public bool KvmPresent { get; init; }
    public bool KvmEnabled { get; init; }
    /// <summary>Accelerators this binary was built with (tcg, kvm...).</summary>
    public IReadOnlyList<string> Accelerators { get; init; } = [];
    /// <summary>Whether the binary has seccomp support (the -sandbox option).</summary>
    public bool SupportsSandbox { get; init; }
    /// <summary>CPU models for -cpu (query-cpu-definitions).</summary>
    public IReadOnlyList<CpuModel> CpuModels { get; init; } = [];
    /// <summary>QMP commands the binary accepts (query-commands).</summary>
    public IReadOnlySet<string> Commands { get; init; } = new HashSet<string>();

    public MachineType? DefaultMachine => Machines.FirstOrDefault(m => m.IsDefault);

    /// <summary>Finds a machine by name or alias ("pc" resolves to "pc-i440fx-7.2").</summary>
    public MachineType? FindMachine(string nameOrAlias) =>
        Machines.FirstOrDefault(m => m.Name == nameOrAlias) ?? Machines.FirstOrDefault(m => m.Alias == nameOrAlias);
}

/// <summary>One machine type from query-machines.</summary>
public sealed record MachineType(string Name, string? Alias, bool IsDefault, int MaxCpus, bool Deprecated);

/// <summary>One CPU model from query-cpu-definitions.</summary>
public sealed record CpuModel(string Name, bool Usable, bool Deprecated);
