using System.Globalization;

namespace Virt.Supervisor.Stats;

/// <summary>A host interface's counters from /proc/net/dev, as the host sees them (a tap's rx is what the guest sent).</summary>
public sealed record NetDevCounters(ulong RxBytes, ulong RxPackets, ulong RxErrors, ulong RxDrops, ulong TxBytes, ulong TxPackets, ulong TxErrors, ulong TxDrops)
{
    /// <summary>Every interface of this network namespace by name; empty when /proc/net/dev cannot be read.</summary>
    public static IReadOnlyDictionary<string, NetDevCounters> ReadAll()
    {
        string text;
        try { text = File.ReadAllText("/proc/net/dev"); }
        catch (IOException) { return new Dictionary<string, NetDevCounters>(); }
        return Parse(text);
    }

    /// <summary>"  vnet0: rxbytes rxpkts rxerrs rxdrop fifo frame compressed multicast txbytes txpkts txerrs txdrop ..."</summary>
    internal static Dictionary<string, NetDevCounters> Parse(string text)
    {
        var all = new Dictionary<string, NetDevCounters>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
                continue;
            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 12 || !f.All(v => ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                continue;
            ulong N(int i) => ulong.Parse(f[i], CultureInfo.InvariantCulture);
            all[line[..colon].Trim()] = new NetDevCounters(N(0), N(1), N(2), N(3), N(8), N(9), N(10), N(11));
        }
        return all;
    }
}
