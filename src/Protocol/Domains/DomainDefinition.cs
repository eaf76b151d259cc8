namespace Virt.Protocol.Domains;

/// <summary>A domain's configuration: the libvirt domain XML subset Virt understands.</summary>
public sealed record DomainDefinition
{
    public DomainType Type { get; init; } = DomainType.Qemu;
    public required string Name { get; init; }
    public required Guid Uuid { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }

    /// <summary>Maximum memory in KiB, as libvirt stores it after unit conversion.</summary>
    public required ulong MemoryKiB { get; init; }

    /// <summary>Current (balloon) memory in KiB; equals <see cref="MemoryKiB"/> when absent.</summary>
    public ulong CurrentMemoryKiB { get; init; }

    public VcpuConfig Vcpu { get; init; } = new();
    public required OsConfig Os { get; init; }
    public CpuConfig? Cpu { get; init; }
    public FeatureSet Features { get; init; } = new();
    public ClockConfig Clock { get; init; } = new();
    public LifecycleAction OnPoweroff { get; init; } = LifecycleAction.Destroy;
    public LifecycleAction OnReboot { get; init; } = LifecycleAction.Restart;
    public LifecycleAction OnCrash { get; init; } = LifecycleAction.Destroy;
    public DeviceSet Devices { get; init; } = new();

    /// <summary>Extra QEMU arguments (libvirt's qemu:commandline namespace); their presence taints the domain.</summary>
    public IReadOnlyList<string> QemuCommandLine { get; init; } = [];
}

public enum DomainType { Qemu, Kvm }

public enum LifecycleAction { Destroy, Restart, Preserve, RenameRestart, CoredumpDestroy, CoredumpRestart }

public sealed record VcpuConfig
{
    public int Count { get; init; } = 1;
    public string? Placement { get; init; }
    public string? CpuSet { get; init; }
}

public sealed record OsConfig
{
    public string Type { get; init; } = "hvm";
    public string? Arch { get; init; }
    public string? Machine { get; init; }
    public IReadOnlyList<BootDevice> BootDevices { get; init; } = [];
    public string? Kernel { get; init; }
    public string? Initrd { get; init; }
    public string? Cmdline { get; init; }
}

public enum BootDevice { HardDisk, Cdrom, Floppy, Network }

public sealed record CpuConfig
{
    public string? Mode { get; init; }
    public string? Match { get; init; }
    public string? Check { get; init; }
    public string? Model { get; init; }
    public string? ModelFallback { get; init; }
}

public sealed record FeatureSet
{
    public bool Acpi { get; init; }
    public bool Apic { get; init; }
    public bool Pae { get; init; }
}

public sealed record ClockConfig
{
    /// <summary>libvirt's clock offset: utc, localtime, timezone or variable.</summary>
    public string Offset { get; init; } = "utc";
}
