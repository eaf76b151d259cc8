namespace Virt.Supervisor.Processes;

/// <summary>
/// QEMUs whose monitor socket lies in a runtime directory but that no status file vouches for: a runtime
/// died between spawning them and recording them, so nobody can manage them. Found at runtime start,
/// before any start of its own, and killed so no VM is leaked.
/// </summary>
public static class OrphanedQemus
{
    /// <summary>Pids of qemu-system processes with a monitor under <paramref name="runtimeDir"/> and not in <paramref name="knownPids"/>.</summary>
    public static IReadOnlyList<int> Find(string runtimeDir, IReadOnlySet<int> knownPids)
    {
        var prefix = "path=" + Path.TrimEndingDirectorySeparator(runtimeDir) + "/";
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid) || knownPids.Contains(pid) || pid == Environment.ProcessId)
                continue;
            string[] argv;
            try
            {
                argv = ProcFs.ReadCmdline(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (argv.Length == 0 || !Path.GetFileName(argv[0]).StartsWith("qemu-system", StringComparison.Ordinal))
                continue;
            if (argv.Any(a => a.Contains(prefix, StringComparison.Ordinal) && a.Contains(".qmp", StringComparison.Ordinal)) && ProcFs.IsAlive(pid))
                found.Add(pid);
        }
        return found;
    }

    /// <summary>SIGKILL: an orphan has no monitor client and no guest state worth a graceful stop.</summary>
    public static void Kill(int pid)
    {
        // Through a pidfd, so a pid reused since the scan is never hit.
        var handle = ProcessHandle.Open(pid, reap: false);
        handle.Signal(9);
        handle.StopWatching();
    }
}
