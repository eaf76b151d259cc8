using System.Text;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Attach;

/// <summary>A running process as /proc shows it: the binary it runs, its argv and environment.</summary>
public sealed record InspectedQemuProcess
{
    public required int Pid { get; init; }
    /// <summary>The emulator binary, from the /proc/PID/exe link.</summary>
    public required string ExecutablePath { get; init; }
    public required IReadOnlyList<string> Argv { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    /// <summary>Start time in clock ticks since boot (/proc/PID/stat field 22).</summary>
    public required ulong StartTime { get; init; }
    /// <summary>The process's working directory, against which relative paths in argv resolve.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>Reads a QEMU process from /proc and refuses anything that is not a qemu-system-* emulator.</summary>
public static class ProcessInspector
{
    public static InspectedQemuProcess Inspect(int pid)
    {
        if (pid <= 0)
            throw new VirtException(ErrorCode.OperationInvalid, $"invalid pid {pid}: expected a positive process id");
        var dir = $"/proc/{pid}";
        if (!Directory.Exists(dir))
            throw new VirtException(ErrorCode.NoDomain, $"no process with pid {pid}");
        var startTime = ProcStat.ReadStartTime(pid);
        var exe = ReadLink(pid, "exe");
        var binary = Path.GetFileName(exe);
        if (!binary.StartsWith("qemu-system-", StringComparison.Ordinal))
            throw new VirtException(ErrorCode.OperationInvalid, $"process {pid} runs {exe}, not a QEMU emulator (qemu-system-*): only QEMU processes can be attached");
        var argv = ReadNulSeparated(pid, "cmdline");
        if (argv.Count == 0)
            throw new VirtException(ErrorCode.NoDomain, $"process {pid} has exited (its command line is empty)");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in ReadNulSeparated(pid, "environ"))
        {
            var eq = entry.IndexOf('=');
            if (eq > 0)
                environment[entry[..eq]] = entry[(eq + 1)..];
        }
        string? cwd;
        try
        {
            cwd = ReadLink(pid, "cwd");
        }
        catch (VirtException)
        {
            cwd = null;
        }
        return new InspectedQemuProcess
        {
            Pid = pid,
            ExecutablePath = exe,
            Argv = argv,
            Environment = environment,
            StartTime = startTime,
            WorkingDirectory = cwd,
        };
    }

    private static string ReadLink(int pid, string name)
    {
        try
        {
            var target = new FileInfo($"/proc/{pid}/{name}").LinkTarget
                ?? throw new VirtException(ErrorCode.NoDomain, $"no process with pid {pid}");
            // The kernel marks a binary replaced on disk (a package upgrade) with this suffix.
            const string deleted = " (deleted)";
            return target.EndsWith(deleted, StringComparison.Ordinal) ? target[..^deleted.Length] : target;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VirtException(ErrorCode.OperationDenied, $"cannot read /proc/{pid}/{name}: permission denied (the process belongs to another user)", e);
        }
        catch (IOException e)
        {
            throw new VirtException(ErrorCode.NoDomain, $"no process with pid {pid} (reading /proc/{pid}/{name}: {e.Message})", e);
        }
    }

    private static List<string> ReadNulSeparated(int pid, string name)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes($"/proc/{pid}/{name}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new VirtException(ErrorCode.OperationDenied, $"cannot read /proc/{pid}/{name}: permission denied (the process belongs to another user)", e);
        }
        catch (IOException e)
        {
            throw new VirtException(ErrorCode.NoDomain, $"no process with pid {pid} (reading /proc/{pid}/{name}: {e.Message})", e);
        }
        var text = Encoding.UTF8.GetString(bytes);
        var parts = text.Split('\0').ToList();
        if (parts.Count > 0 && parts[^1].Length == 0)
            parts.RemoveAt(parts.Count - 1);
        return parts;
    }
}
