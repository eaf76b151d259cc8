namespace Virt.Protocol.Api;

/// <summary>libvirt's virDomainStatsTypes, with its bit values: the groups a stats query asks for (none: all of them).</summary>
[Flags]
public enum DomainStatsGroups
{
    None = 0,
    State = 1 << 0,
    CpuTotal = 1 << 1,
    Balloon = 1 << 2,
    Vcpu = 1 << 3,
    Interface = 1 << 4,
    Block = 1 << 5,
    /// <summary>Every group Virt reports; libvirt's others (perf, iothread, memory bandwidth, dirty rate, vm) are not kept.</summary>
    Supported = State | CpuTotal | Balloon | Vcpu | Interface | Block,
}

/// <summary>libvirt's virTypedParameterType, with its values (the XDR union's discriminant).</summary>
public enum TypedParameterKind
{
    Int = 1,
    UInt = 2,
    LLong = 3,
    ULLong = 4,
    Double = 5,
    Boolean = 6,
    String = 7,
}

/// <summary>One of libvirt's typed parameters ("block.0.rd.bytes" = 4096): a number of its kind, or a string.</summary>
public sealed record TypedParameter(string Field, TypedParameterKind Kind, ulong Number = 0, string? Text = null)
{
    public static TypedParameter Int(string field, int value) => new(field, TypedParameterKind.Int, unchecked((ulong)value));

    public static TypedParameter UInt(string field, uint value) => new(field, TypedParameterKind.UInt, value);

    public static TypedParameter ULLong(string field, ulong value) => new(field, TypedParameterKind.ULLong, value);

    public static TypedParameter LLong(string field, long value) => new(field, TypedParameterKind.LLong, unchecked((ulong)value));

    public static TypedParameter Boolean(string field, bool value) => new(field, TypedParameterKind.Boolean, value ? 1UL : 0);

    public static TypedParameter String(string field, string value) => new(field, TypedParameterKind.String, 0, value);

    /// <summary>The value as virsh prints it (%d, %u, %lld, %llu, yes/no, the string).</summary>
    public string ValueText => Kind switch
    {
        TypedParameterKind.Int => unchecked((int)Number).ToString(System.Globalization.CultureInfo.InvariantCulture),
        TypedParameterKind.LLong => unchecked((long)Number).ToString(System.Globalization.CultureInfo.InvariantCulture),
        TypedParameterKind.Boolean => Number != 0 ? "yes" : "no",
        TypedParameterKind.String => Text ?? "",
        TypedParameterKind.Double => BitConverter.UInt64BitsToDouble(Number).ToString("F6", System.Globalization.CultureInfo.InvariantCulture),
        _ => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>libvirt's virDomainMemoryStatTags, with their values and dommemstat's names.</summary>
public enum MemoryStatTag
{
    SwapIn = 0,
    SwapOut = 1,
    MajorFault = 2,
    MinorFault = 3,
    Unused = 4,
    Available = 5,
    Actual = 6,
    Rss = 7,
    Usable = 8,
    LastUpdate = 9,
    DiskCaches = 10,
    HugetlbPgalloc = 11,
    HugetlbPgfail = 12,
}

/// <summary>One memory statistic in KiB (a count for the fault tags, seconds for last_update).</summary>
public sealed record MemoryStat(MemoryStatTag Tag, ulong Value)
{
    /// <summary>virsh dommemstat's name for the tag.</summary>
    public string Name => Tag switch
    {
        MemoryStatTag.SwapIn => "swap_in",
        MemoryStatTag.SwapOut => "swap_out",
        MemoryStatTag.MajorFault => "major_fault",
        MemoryStatTag.MinorFault => "minor_fault",
        MemoryStatTag.Unused => "unused",
        MemoryStatTag.Available => "available",
        MemoryStatTag.Actual => "actual",
        MemoryStatTag.Rss => "rss",
        MemoryStatTag.Usable => "usable",
        MemoryStatTag.LastUpdate => "last_update",
        MemoryStatTag.DiskCaches => "disk_caches",
        MemoryStatTag.HugetlbPgalloc => "hugetlb_pgalloc",
        _ => "hugetlb_pgfail",
    };
}
