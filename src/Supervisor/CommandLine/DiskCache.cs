namespace Virt.Supervisor.CommandLine;

/// <summary>libvirt's disk cache modes as QEMU's three switches: guest write cache, O_DIRECT, and ignoring flushes.</summary>
internal sealed record DiskCache(bool WriteCache, bool Direct, bool NoFlush)
{
    /// <summary>The switches for a cache mode; null for "default" or no mode, which leaves QEMU's defaults.</summary>
    public static DiskCache? Of(string? mode, string what) => mode switch
    {
        null or "default" => null,
        "none" => new DiskCache(WriteCache: true, Direct: true, NoFlush: false),
        "writethrough" => new DiskCache(WriteCache: false, Direct: false, NoFlush: false),
        "writeback" => new DiskCache(WriteCache: true, Direct: false, NoFlush: false),
        "directsync" => new DiskCache(WriteCache: false, Direct: true, NoFlush: false),
        "unsafe" => new DiskCache(WriteCache: true, Direct: false, NoFlush: true),
        _ => throw new Virt.Protocol.Errors.VirtException(Virt.Protocol.Errors.ErrorCode.ConfigUnsupported,
            $"{what}: <driver cache='{mode}'> is not a cache mode; use default, none, writethrough, writeback, directsync or unsafe"),
    };
}
