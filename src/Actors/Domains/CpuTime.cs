using System.Globalization;

namespace Virt.Actors.Domains;

/// <summary>CPU time a process has used, from /proc/PID/stat (utime + stime).</summary>
internal static class CpuTime
{
    // Linux reports these fields in USER_HZ, which the kernel fixes at 100 for user space on every architecture Virt runs on.
    private const ulong NanosecondsPerTick = 10_000_000;

    /// <summary>Nanoseconds of user and system time, or 0 when the process is gone.</summary>
    public static ulong Read(int pid)
    {
        string text;
        try { text = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
        var close = text.LastIndexOf(')');
        if (close < 0)
            return 0;
        // After the command come fields 3 (state) onwards: utime is field 14, stime field 15.
        var fields = text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 13
            || !ulong.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            || !ulong.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system))
            return 0;
        return (user + system) * NanosecondsPerTick;
    }
}
