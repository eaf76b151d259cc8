namespace Virt.Supervisor.Storage;

/// <summary>
/// One disk's overlay to merge into the image under it and remove: the disk (for messages), the image the disk runs on
/// now (its chain's top), the overlay, the image under it, and the image above it (null when the overlay is the top).
/// </summary>
public sealed record CommitRequest(string Disk, string Root, string Top, ImageLayer Base, string? Above)
{
    /// <summary>The overlay is what the disk writes to: the commit then moves the disk onto the base (a pivot).</summary>
    public bool Active => Above is null;
}
