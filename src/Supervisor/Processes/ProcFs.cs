using System.Globalization;
using System.Text;

namespace Virt.Supervisor.Processes;

/// <summary>The fields of /proc/PID/stat that process control uses.</summary>
/// <param name="State">R, S, D, T, t, Z, X...</param>
/// <param name="StartTime">Field 22: clock ticks since boot; with the pid it names one process for good.</param>
public sealed record ProcStat(int Pid, string Command, char State, int ParentPid, int ProcessGroup, int Session, ulong StartTime)
{
    /// <summary>Fields 14 and 15: CPU time in user and kernel mode, in clock ticks.</summary>
    public ulong UserTicks { get; init; }
    public ulong SystemTicks { get; init; }
    /// <summary>Field 24: resident pages.</summary>
    public ulong RssPages { get; init; }

    // Linux reports CPU times in USER_HZ, which the kernel fixes at 100 for user space on every architecture Virt runs on.
    private const ulong NanosecondsPerTick = 10_000_000;

    /// <summary>User plus system CPU time, in nanoseconds (dominfo's CPU time).</summary>
    public ulong CpuNanoseconds => (UserTicks + SystemTicks) * NanosecondsPerTick;
    public ulong UserNanoseconds => UserTicks * NanosecondsPerTick;
    public ulong SystemNanoseconds => SystemTicks * NanosecondsPerTick;
    public ulong RssKiB => RssPages * (ulong)Environment.SystemPageSize / 1024;

    /// <summary>Exited, waiting to be reaped (or being torn down).</summary>
    public bool IsZombie => State is 'Z' or 'X' or 'x';
}

/// <summary>Reads facts about processes from /proc; every reader returns null or empty when the process is gone.</summary>
public static class ProcFs
{
    public static ProcStat? ReadStat(int pid) => ReadText($"/proc/{pid}/stat") is { } text ? ParseStat(pid, text) : null;

    /// <summary>One thread of a process (a vCPU of a QEMU), from /proc/PID/task/TID/stat.</summary>
    public static ProcStat? ReadThreadStat(int pid, int tid) => ReadText($"/proc/{pid}/task/{tid}/stat") is { } text ? ParseStat(tid, text) : null;

    /// <summary>
    /// A thread's time spent waiting on a run queue, in ns: the second field of /proc/PID/task/TID/schedstat (0 when the
    /// kernel keeps no schedstats).
    /// </summary>
    public static ulong ReadThreadRunDelay(int pid, int tid) =>
        ReadText($"/proc/{pid}/task/{tid}/schedstat") is { } text && text.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 2 } f
            && ulong.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var delay) ? delay : 0;

    private static string? ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Parses a /proc/PID/stat line; the command sits in parentheses and may itself hold spaces and ')'.</summary>
    internal static ProcStat? ParseStat(int pid, string text)
    {
        var open = text.IndexOf('(');
        var close = text.LastIndexOf(')');
        if (open < 0 || close < open)
            return null;
        // Fields after the command start at field 3 (state).
        var rest = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length < 20)
            return null;
        var inv = CultureInfo.InvariantCulture;
        return new ProcStat(
            pid,
            text[(open + 1)..close],
            rest[0][0],
            int.Parse(rest[1], inv),
            int.Parse(rest[2], inv),
            int.Parse(rest[3], inv),
            ulong.Parse(rest[19], inv))
        {
            UserTicks = ulong.Parse(rest[11], inv),
            SystemTicks = ulong.Parse(rest[12], inv),
            RssPages = rest.Length > 21 && ulong.TryParse(rest[21], NumberStyles.None, inv, out var rss) ? rss : 0,
        };
    }

    /// <summary>Field 22 of /proc/PID/stat, or null when there is no such process.</summary>
    public static ulong? ReadStartTime(int pid) => ReadStat(pid)?.StartTime;

    /// <summary>True when the process exists and has not exited (a zombie counts as gone).</summary>
    public static bool IsAlive(int pid) => ReadStat(pid) is { IsZombie: false };

    /// <summary>argv of the process (argv[0] first); empty when gone or a kernel thread.</summary>
    public static string[] ReadCmdline(int pid) => ReadNulSeparated($"/proc/{pid}/cmdline");

    /// <summary>The environment the process started with, as KEY=VALUE strings.</summary>
    public static string[] ReadEnviron(int pid) => ReadNulSeparated($"/proc/{pid}/environ");

    /// <summary>The executable's path, or null when gone or not readable.</summary>
    public static string? ReadExe(int pid)
    {
        try { return new FileInfo($"/proc/{pid}/exe").LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string[] ReadNulSeparated(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
        var text = Encoding.UTF8.GetString(bytes);
        return text.Split('\0', StringSplitOptions.None) is var parts && parts.Length > 0 && parts[^1].Length == 0
            ? parts[..^1]
            : parts;
    }
}
