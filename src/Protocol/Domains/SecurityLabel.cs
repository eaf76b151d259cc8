namespace Virt.Protocol.Domains;

/// <summary>
/// &lt;seclabel&gt;: how the security driver confines the guest's QEMU. Virt has one driver, DAC, with one label:
/// QEMU runs as the daemon's own user and the daemon reaches every file it gives QEMU. So type='none' and a dynamic
/// DAC label are what Virt does anyway; a label Virt cannot apply is refused by the parser.
/// </summary>
public sealed record SecurityLabel
{
    /// <summary>dynamic, static or none.</summary>
    public required string Type { get; init; }
    /// <summary>dac, or null for the default driver.</summary>
    public string? Model { get; init; }
    public bool? Relabel { get; init; }
    public string? Label { get; init; }
    public string? ImageLabel { get; init; }
    public string? BaseLabel { get; init; }
}
