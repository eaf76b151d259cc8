using System.Globalization;

namespace Virt.Supervisor.Host;

/// <summary>
/// The host's memory as libvirt's virNodeGetMemoryStats gives it on Linux, in KiB: for all cells MemTotal, MemFree,
/// Buffers and Cached of /proc/meminfo (total, free, buffers, cached); for one NUMA cell the first two of its
/// node meminfo. Fields come in the file's order, at most as many as libvirt takes.
/// </summary>
public static class NodeMemory
{
    public const int AllCells = -1;

    /// <summary>LINUX_NB_MEMORY_STATS_ALL and LINUX_NB_MEMORY_STATS_CELL.</summary>
    public static int FieldCount(int cell) => cell == AllCells ? 4 : 2;

    private static readonly Dictionary<string, string> Fields = new(StringComparer.Ordinal)
    {
        ["MemTotal:"] = "total",
        ["MemFree:"] = "free",
        ["Buffers:"] = "buffers",
        ["Cached:"] = "cached",
    };

    /// <summary>The highest NUMA node number (numa_max_node), 0 on a host without /sys node directories.</summary>
    public static int MaxNode() => Directory.Exists("/sys/devices/system/node")
        ? Math.Max(0, Directory.EnumerateDirectories("/sys/devices/system/node", "node*").Count() - 1) : 0;

    /// <summary>MemAvailable of /proc/meminfo in KiB: what the kernel can give a new guest without swapping.</summary>
    public static ulong AvailableKiB()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal)
                && ulong.TryParse(line["MemAvailable:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture, out var kib))
                return kib;
        return 0;
    }

    public static IReadOnlyList<KeyValuePair<string, ulong>> Read(int cell)
    {
        var path = cell == AllCells ? "/proc/meminfo" : $"/sys/devices/system/node/node{cell}/meminfo";
        try
        {
            return Parse(File.ReadAllLines(path), FieldCount(cell));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Lines of a meminfo file; a node's lines lose their "Node N " prefix first.</summary>
    public static IReadOnlyList<KeyValuePair<string, ulong>> Parse(IEnumerable<string> lines, int max)
    {
        var stats = new List<KeyValuePair<string, ulong>>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[0] == "Node")
                parts = parts[2..];
            if (parts.Length >= 3 && parts[2] == "kB" && Fields.TryGetValue(parts[0], out var field)
                && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kib))
                stats.Add(new(field, kib));
            if (stats.Count >= max)
                break;
        }
        return stats;
    }
}
