namespace Virt.Gui.Tests.Support;

/// <summary>A process and everything it started, found by parent pid in /proc and killed by pid (never by name).</summary>
public static class ProcessTree
{
    public static void Kill(int pid)
    {
        var doomed = new List<int> { pid };
        for (var i = 0; i < doomed.Count; i++)
            doomed.AddRange(ChildrenOf(doomed[i]).Where(c => !doomed.Contains(c)));
        foreach (var each in doomed)
            _ = kill(each, 9);
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], out var ppid) && ppid == parent)
                yield return pid;
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int sig);
}
