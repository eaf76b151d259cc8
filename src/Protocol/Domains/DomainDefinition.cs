namespace Virt.Protocol.Domains;

/// <summary>A domain's configuration: the libvirt domain XML subset Virt understands.</summary>
public sealed record DomainDefinition
{
    public DomainType Type { get; init; } = DomainType.Qemu;
    public required string Name { get; init; }
    public required Guid Uuid { get; init; }
    public string? Title { get; init; }
    public string? Description { get; init; }
    /// <summary>&lt;metadata&gt;: namespaced elements kept verbatim, for the tools that wrote them.</summary>
    public IReadOnlyList<XmlFragment> Metadata { get; init; } = [];

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
    public PowerManagement Pm { get; init; } = new();
    public DeviceSet Devices { get; init; } = new();
    public IReadOnlyList<SecurityLabel> SecurityLabels { get; init; } = [];

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
    /// <summary>&lt;bootmenu enable timeout&gt;: the firmware's boot menu and how long it waits (ms).</summary>
    public bool? BootMenu { get; init; }
    public int? BootMenuTimeout { get; init; }
    public string? Kernel { get; init; }
    public string? Initrd { get; init; }
    public string? Cmdline { get; init; }
    /// <summary>&lt;os firmware&gt;: efi or bios, chosen from the firmware descriptors; null for the machine's own BIOS.</summary>
    public string? Firmware { get; init; }
    /// <summary>&lt;firmware&gt;&lt;feature&gt;: what the chosen firmware must (or must not) do, such as secure-boot.</summary>
    public IReadOnlyList<KeyValuePair<string, bool>> FirmwareFeatures { get; init; } = [];
    public LoaderConfig? Loader { get; init; }
    public NvramConfig? Nvram { get; init; }

    public bool Equals(OsConfig? other) =>
        other is not null && Type == other.Type && Arch == other.Arch && Machine == other.Machine && BootDevices.SequenceEqual(other.BootDevices)
        && BootMenu == other.BootMenu && BootMenuTimeout == other.BootMenuTimeout && Kernel == other.Kernel && Initrd == other.Initrd
        && Cmdline == other.Cmdline && Firmware == other.Firmware && FirmwareFeatures.SequenceEqual(other.FirmwareFeatures)
        && Loader == other.Loader && Nvram == other.Nvram;

    public override int GetHashCode() => HashCode.Combine(Type, Machine, Firmware, Loader, Nvram);
}

/// <summary>&lt;loader&gt;: the firmware image (read-only flash for UEFI), whether it enforces Secure Boot.</summary>
public sealed record LoaderConfig
{
    public string? Path { get; init; }
    public bool? ReadOnly { get; init; }
    public bool? Secure { get; init; }
    /// <summary>pflash or rom.</summary>
    public string? Type { get; init; }
    public string? Format { get; init; }
}

/// <summary>&lt;nvram&gt;: the guest's own copy of the firmware variables, made from the template at the first start.</summary>
public sealed record NvramConfig
{
    public string? Path { get; init; }
    public string? Template { get; init; }
    public string? TemplateFormat { get; init; }
    public string? Format { get; init; }
}

public enum BootDevice { HardDisk, Cdrom, Floppy, Network }

public sealed record CpuConfig
{
    public string? Mode { get; init; }
    public string? Match { get; init; }
    public string? Check { get; init; }
    /// <summary>host-passthrough's migratable (on by default): whether features that block migration are hidden.</summary>
    public bool? Migratable { get; init; }
    public string? Model { get; init; }
    public string? ModelFallback { get; init; }
    public CpuTopology? Topology { get; init; }
}

/// <summary>&lt;cpu&gt;&lt;topology&gt;: how the vCPUs are grouped, as the guest sees them.</summary>
public sealed record CpuTopology(int Sockets, int Dies, int Clusters, int Cores, int Threads)
{
    public int Total => Sockets * Dies * Clusters * Cores * Threads;
}

public sealed record FeatureSet
{
    public bool Acpi { get; init; }
    public bool Apic { get; init; }
    public bool Pae { get; init; }
    /// <summary>VMware's I/O port (state on/off); null leaves QEMU's default.</summary>
    public bool? Vmport { get; init; }
    /// <summary>System management mode (state on/off), which UEFI Secure Boot needs.</summary>
    public bool? Smm { get; init; }
    /// <summary>The vmcoreinfo device, so a guest kernel's crash dumps can be read.</summary>
    public bool? VmCoreInfo { get; init; }
    /// <summary>Hyper-V enlightenments for Windows guests (&lt;hyperv&gt;); null when none are written.</summary>
    public HypervFeatures? Hyperv { get; init; }
}

/// <summary>
/// &lt;hyperv mode&gt; and its features, each on or off (in libvirt's order), with spinlocks' retries, the vendor id
/// and stimer's direct mode.
/// </summary>
public sealed record HypervFeatures
{
    /// <summary>The features libvirt knows, in the order it writes them.</summary>
    public static readonly IReadOnlyList<string> Known =
        ["relaxed", "vapic", "spinlocks", "vpindex", "runtime", "synic", "stimer", "reset", "vendor_id", "frequencies",
         "reenlightenment", "tlbflush", "ipi", "evmcs", "avic"];

    /// <summary>custom (the features listed) or passthrough (all the host has).</summary>
    public string? Mode { get; init; }
    public IReadOnlyList<KeyValuePair<string, bool>> States { get; init; } = [];
    public int? SpinlockRetries { get; init; }
    public string? VendorId { get; init; }
    public bool? StimerDirect { get; init; }

    public bool? State(string name) => States.Any(s => s.Key == name) ? States.First(s => s.Key == name).Value : null;

    public bool Equals(HypervFeatures? other) =>
        other is not null && Mode == other.Mode && States.SequenceEqual(other.States) && SpinlockRetries == other.SpinlockRetries
        && VendorId == other.VendorId && StimerDirect == other.StimerDirect;

    public override int GetHashCode() => HashCode.Combine(Mode, States.Count, SpinlockRetries, VendorId);
}

public sealed record ClockConfig
{
    /// <summary>libvirt's clock offset: utc, localtime, timezone or variable.</summary>
    public string Offset { get; init; } = "utc";
    public IReadOnlyList<ClockTimer> Timers { get; init; } = [];
}

/// <summary>
/// One &lt;timer&gt; of &lt;clock&gt;: a guest timer's presence and how it makes up for ticks it missed. Null means
/// not written: the hypervisor's default.
/// </summary>
public sealed record ClockTimer
{
    /// <summary>rtc, pit, hpet, kvmclock, hypervclock, tsc.</summary>
    public required string Name { get; init; }
    public bool? Present { get; init; }
    /// <summary>delay, catchup, merge, discard.</summary>
    public string? TickPolicy { get; init; }
    /// <summary>For rtc: boot, guest, wall, realtime.</summary>
    public string? Track { get; init; }
    /// <summary>For tsc: its frequency in Hz.</summary>
    public ulong? Frequency { get; init; }
}

/// <summary>&lt;pm&gt;: whether the guest may suspend to RAM (S3) and to disk (S4); null leaves QEMU's default.</summary>
public sealed record PowerManagement
{
    public bool? SuspendToMem { get; init; }
    public bool? SuspendToDisk { get; init; }
}
