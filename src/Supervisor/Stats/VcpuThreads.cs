using System.Text.Json;

namespace Virt.Supervisor.Stats;

/// <summary>A QEMU's vCPU threads (index, thread id): asked of QEMU once, as they last as long as the process.</summary>
public sealed class VcpuThreads
{
    private volatile IReadOnlyList<(int Index, int Thread)>? _known;

    /// <summary>Null until a stats query learnt them; set from that query's task, read by the next.</summary>
    public IReadOnlyList<(int Index, int Thread)>? Known
    {
        get => _known;
        set => _known = value;
    }

    /// <summary>query-cpus-fast's cpu-index and thread-id of each vCPU; null when the reply holds none.</summary>
    public static IReadOnlyList<(int Index, int Thread)>? Parse(JsonElement? reply)
    {
        if (reply is not { ValueKind: JsonValueKind.Array } list)
            return null;
        var threads = new List<(int, int)>();
        foreach (var cpu in list.EnumerateArray())
        {
            if (cpu.TryGetProperty("cpu-index", out var index) && cpu.TryGetProperty("thread-id", out var thread))
                threads.Add((index.GetInt32(), thread.GetInt32()));
        }
        return threads.Count > 0 ? threads : null;
    }
}
