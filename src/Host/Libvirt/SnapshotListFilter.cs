using static Virt.Protocol.Api.DomainSnapshots;

namespace Virt.Host.Libvirt;

/// <summary>
/// libvirt's virDomainSnapshotListFlags over a domain's snapshots: within a group (leaves, metadata, state, location)
/// the bits are alternatives; an absent group filters nothing; ROOTS keeps the snapshots without a parent.
/// </summary>
internal static class SnapshotListFilter
{
    private const uint Roots = 1, Metadata = 2, Leaves = 4, NoLeaves = 8, NoMetadata = 16, Inactive = 32, Active = 64, DiskOnly = 128, Internal = 256, External = 512;

    public static IEnumerable<SnapshotDescription> Apply(IReadOnlyList<SnapshotDescription> all, uint flags) =>
        all.Where(s => Keeps(s, all, flags));

    private static bool Keeps(SnapshotDescription s, IReadOnlyList<SnapshotDescription> all, uint flags)
    {
        if ((flags & Roots) != 0 && s.Parent is not null)
            return false;
        var leaf = !all.Any(c => c.Parent == s.Name);
        if (!Group(flags, Leaves | NoLeaves, (Leaves, leaf), (NoLeaves, !leaf)))
            return false;
        // Every snapshot Virt lists has its metadata.
        if (!Group(flags, Metadata | NoMetadata, (Metadata, true), (NoMetadata, false)))
            return false;
        if (!Group(flags, Inactive | Active | DiskOnly, (Inactive, s.State == "shutoff"), (Active, s.State is "running" or "paused"), (DiskOnly, s.State == "disk-snapshot")))
            return false;
        return Group(flags, Internal | External, (Internal, !s.External), (External, s.External));
    }

    private static bool Group(uint flags, uint mask, params (uint Bit, bool Holds)[] members) =>
        (flags & mask) == 0 || members.Any(m => (flags & m.Bit) != 0 && m.Holds);
}
