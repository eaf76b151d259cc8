using Virt.Supervisor.Processes;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Processes;

/// <summary>Tests that boot real QEMUs share the machine's two cores: run them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class QemuCollection
{
    public const string Name = "qemu processes";
}

/// <summary>Launch specs and /proc checks shared by the process tests.</summary>
internal static class QemuFixtures
{
    public const string Emulator = "qemu-system-x86_64";

    /// <summary>The smallest QEMU that has a QMP monitor: no machine, no devices, paused.</summary>
    public static QemuLaunchSpec MinimalSpec(TempDirectory dir, params string[] extra) => new()
    {
        Emulator = Emulator,
        Arguments = MinimalArgs(dir.Combine("mon.sock"), extra),
        LogPath = dir.Combine("domain.log"),
        MonitorPath = dir.Combine("mon.sock"),
        StartTimeout = TimeSpan.FromSeconds(20),
    };

    public static IReadOnlyList<string> MinimalArgs(string monitorPath, params string[] extra) =>
    [
        "-machine", "none", "-S", "-nodefaults", "-no-user-config", "-display", "none",
        "-chardev", $"socket,id=mon,path={monitorPath},server=on,wait=off",
        "-mon", "chardev=mon,mode=control",
        .. extra,
    ];

    /// <summary>Pids of live processes whose command line mentions the text (e.g. a test's unique monitor path).</summary>
    public static List<int> ProcessesMentioning(string text) =>
        AllPids().Where(pid => ProcFs.ReadCmdline(pid).Any(a => a.Contains(text, StringComparison.Ordinal))).ToList();

    /// <summary>Unreaped children of this test process that we spawned in their own session (that is, through PosixSpawn).</summary>
    public static List<int> OwnSessionZombieChildren()
    {
        var self = Environment.ProcessId;
        return AllPids().Select(ProcFs.ReadStat).OfType<ProcStat>()
            .Where(s => s.ParentPid == self && s.IsZombie && s.Session == s.Pid)
            .Select(s => s.Pid).ToList();
    }

    private static IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out var pid) ? pid : 0).Where(p => p > 0);

    /// <summary>Kills the QEMU by pid (SIGKILL, wait) and disposes it, whatever the test did.</summary>
    public static async Task EndAsync(QemuProcess qemu)
    {
        await qemu.KillAsync(TimeSpan.Zero);
        await qemu.DisposeAsync();
    }
}
