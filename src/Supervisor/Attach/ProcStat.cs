using System.Globalization;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Attach;

/// <summary>Reads /proc/PID/stat: the process start time that tells a reused pid from the process we saw.</summary>
public static class ProcStat
{
    /// <summary>Field 22 of /proc/PID/stat: start time in clock ticks since boot.</summary>
    public static ulong ReadStartTime(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            throw new VirtException(ErrorCode.NoDomain, $"no process with pid {pid}", e);
        }
        return ParseStartTime(text);
    }

    /// <summary>The comm field (2) is in parentheses and may hold spaces or ')': fields 3.. start after the last ')'.</summary>
    internal static ulong ParseStartTime(string stat)
    {
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // fields[0] is field 3 (state), so field 22 is fields[19].
        if (close < 0 || fields.Length < 20 || !ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start))
            throw new VirtException(ErrorCode.InternalError, $"cannot read the start time from /proc stat line '{stat.Trim()}'");
        return start;
    }
}
