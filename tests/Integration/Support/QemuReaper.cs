using Virt.Supervisor.Processes;

namespace Virt.Integration.Tests.Support;

/// <summary>Finds and kills, by pid, every QEMU (and swtpm) whose command line mentions a test's private directory.</summary>
public static class QemuReaper
{
    public static IReadOnlyList<int> FindUnder(string dir) => FindUnder(dir, "qemu-system");

    /// <summary>The swtpm daemons serving a test's guests' TPMs.</summary>
    public static IReadOnlyList<int> FindSwtpmUnder(string dir) => FindUnder(dir, "swtpm");

    private static List<int> FindUnder(string dir, string program)
    {
        var found = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var pid))
                continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(entry, "cmdline"));
                var argv0 = Path.GetFileName(cmdline.Split('\0')[0]);
                if (argv0.StartsWith(program, StringComparison.Ordinal))
                {
                    if (cmdline.Contains(dir, StringComparison.Ordinal) && ProcFs.IsAlive(pid))
                        found.Add(pid);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return found;
    }

    public static int KillAll(string dir)
    {
        var pids = FindUnder(dir).Concat(FindSwtpmUnder(dir)).ToList();
        foreach (var pid in pids)
        {
            try { System.Diagnostics.Process.GetProcessById(pid).Kill(); }
            catch (ArgumentException) { }
            catch (InvalidOperationException) { }
        }
        return pids.Count;
    }
}
