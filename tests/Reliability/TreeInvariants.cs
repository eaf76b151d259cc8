using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Reliability.Tests;

/// <summary>What must hold on a daemon's tree after any fault: no leaked VM, no dead "running" domain, no lost or broken config, no temp file.</summary>
public static class TreeInvariants
{
    /// <summary>The violations found now; empty when the tree is consistent.</summary>
    /// <param name="mustExist">Domains whose define was acknowledged and not undone.</param>
    /// <param name="mustNotExist">Domains whose undefine was acknowledged and not undone (and that are not running).</param>
    public static List<string> Check(string testDir, string root, IReadOnlyList<DomainSummary> domains,
        IReadOnlySet<string> mustExist, IReadOnlySet<string> mustNotExist, List<int>? interruptedStarts = null)
    {
        var problems = new List<string>();
        var qemus = QemuReaper.FindUnder(testDir).Select(pid => (Pid: pid, Guest: GuestName(pid))).ToList();
        var active = domains.Where(d => d.Active).Select(d => d.Name.Value).ToHashSet();
        var statusFiles = Directory.Exists(Path.Combine(root, "run", "qemu"))
            ? Directory.GetFiles(Path.Combine(root, "run", "qemu"), "*.status").Length
            : 0;
        foreach (var (pid, guest) in qemus)
        {
            if (guest is not null && active.Contains(guest))
                continue;
            // Known bug: the daemon killed between spawning QEMU and writing its status file leaves a QEMU no one
            // knows (an unacknowledged start). Counted separately so the suite measures it; strict mode fails on it.
            if (interruptedStarts is not null && !HasStatusFile(root, pid))
                interruptedStarts.Add(pid);
            else
                problems.Add($"leaked QEMU {pid} (guest {guest ?? "?"}) belongs to no running or paused domain ({statusFiles} status files)");
        }
        foreach (var name in active)
        {
            if (!qemus.Any(q => q.Guest == name))
                problems.Add($"domain {name} is shown active but has no live QEMU");
        }

        var persistent = domains.Where(d => d.Persistent).Select(d => d.Name.Value).ToHashSet();
        problems.AddRange(mustExist.Where(n => !persistent.Contains(n)).Select(n => $"acknowledged define of {n} was lost"));
        problems.AddRange(mustNotExist.Where(persistent.Contains).Select(n => $"acknowledged undefine of {n} came back"));

        var configDir = Path.Combine(root, "etc", "qemu");
        if (Directory.Exists(configDir))
        {
            foreach (var file in Directory.EnumerateFiles(configDir))
            {
                if (!file.EndsWith(".xml", StringComparison.Ordinal) || Path.GetFileName(file).StartsWith('.'))
                {
                    problems.Add($"stray file in the config dir: {Path.GetFileName(file)}");
                    continue;
                }
                try
                {
                    var name = DomainXml.ParseFile(file).Name;
                    if (!persistent.Contains(name))
                        problems.Add($"config {Path.GetFileName(file)} on disk but {name} is not shown persistent");
                }
                catch (Exception e)
                {
                    problems.Add($"config {Path.GetFileName(file)} does not parse: {e.Message}");
                }
            }
        }
        return problems;
    }

    private static bool HasStatusFile(string root, int pid)
    {
        var dir = Path.Combine(root, "run", "qemu");
        return Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*.status").Any(file =>
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            return json.RootElement.EnumerateObject().Any(p => p.NameEquals("pid") || p.NameEquals("Pid")) &&
                json.RootElement.EnumerateObject().First(p => p.NameEquals("pid") || p.NameEquals("Pid")).Value.GetInt32() == pid;
        });
    }

    /// <summary>The guest name from QEMU's "-name guest=NAME,..." (commas in names are doubled).</summary>
    public static string? GuestName(int pid)
    {
        try
        {
            var argv = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
            var at = Array.IndexOf(argv, "-name");
            if (at < 0 || at + 1 >= argv.Length || !argv[at + 1].StartsWith("guest=", StringComparison.Ordinal))
                return null;
            var value = argv[at + 1]["guest=".Length..];
            var end = 0;
            while (end < value.Length && !(value[end] == ',' && (end + 1 >= value.Length || value[end + 1] != ',')))
                end += value[end] == ',' ? 2 : 1;
            return value[..end].Replace(",,", ",", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
