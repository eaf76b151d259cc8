using System.Globalization;

namespace Virt.Supervisor.Host;

/// <summary>
/// The host as libvirt's virNodeInfo describes it, from /proc and /sys: CPU model (the architecture), memory in KiB,
/// online CPUs and their topology. When the topology does not multiply out to the CPU count, libvirt's fallback holds:
/// one node, one socket, every CPU a core.
/// </summary>
public sealed record NodeInfo(string Model, ulong MemoryKiB, int Cpus, int Mhz, int Nodes, int Sockets, int Cores, int Threads)
{
    public static NodeInfo Read()
    {
        var cpus = Environment.ProcessorCount;
        var memory = MemTotalKiB();
        var (mhz, sockets, coresPerSocket, siblings) = CpuInfo();
        var nodes = Math.Max(1, Directory.Exists("/sys/devices/system/node")
            ? Directory.EnumerateDirectories("/sys/devices/system/node", "node*").Count() : 1);
        var threads = coresPerSocket > 0 && siblings >= coresPerSocket ? siblings / coresPerSocket : 1;
        var socketsPerNode = Math.Max(1, sockets / nodes);
        if (coresPerSocket <= 0 || nodes * socketsPerNode * coresPerSocket * threads != cpus)
            (nodes, socketsPerNode, coresPerSocket, threads) = (1, 1, cpus, 1);
        var model = System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "x86_64",
            System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
            var other => other.ToString().ToLowerInvariant(),
        };
        return new NodeInfo(model, memory, cpus, mhz, nodes, socketsPerNode, coresPerSocket, threads);
    }

    private static ulong MemTotalKiB()
    {
        foreach (var line in ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                && ulong.TryParse(line["MemTotal:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture, out var kib))
                return kib;
        }
        return 0;
    }

    private static (int Mhz, int Sockets, int CoresPerSocket, int Siblings) CpuInfo()
    {
        var mhz = 0;
        var sockets = new HashSet<string>();
        int cores = 0, siblings = 0;
        foreach (var line in ReadLines("/proc/cpuinfo"))
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
                continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "cpu MHz" when mhz == 0 && double.TryParse(value, CultureInfo.InvariantCulture, out var m):
                    mhz = (int)m;
                    break;
                case "physical id":
                    sockets.Add(value);
                    break;
                case "cpu cores" when cores == 0:
                    _ = int.TryParse(value, CultureInfo.InvariantCulture, out cores);
                    break;
                case "siblings" when siblings == 0:
                    _ = int.TryParse(value, CultureInfo.InvariantCulture, out siblings);
                    break;
            }
        }
        return (mhz, Math.Max(1, sockets.Count), cores, siblings);
    }

    private static IEnumerable<string> ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
