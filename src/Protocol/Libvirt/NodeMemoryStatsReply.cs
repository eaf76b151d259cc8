using Virt.Protocol.Libvirt.Xdr;

namespace Virt.Protocol.Libvirt;

/// <summary>
/// remote_node_get_memory_stats_ret in libvirt's two passes: asked for 0, no params and how many there are; asked for
/// that many, exactly that many (field, unsigned hyper KiB; slots the host did not fill stay empty) and an nparams of 0.
/// </summary>
public static class NodeMemoryStatsReply
{
    public static XdrWriter Count(int nparams) => new XdrWriter().UInt(0).Int(nparams);

    public static XdrWriter Values(IReadOnlyList<KeyValuePair<string, ulong>> stats, int nparams)
    {
        var w = new XdrWriter().UInt((uint)nparams);
        for (var i = 0; i < nparams; i++)
        {
            var (field, value) = i < stats.Count ? stats[i] : new(string.Empty, 0);
            w.String(field).UHyper(value);
        }
        return w.Int(0);
    }
}
