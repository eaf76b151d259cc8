using Virt.Supervisor.Processes;

namespace Virt.Actors.Domains.Executors;

/// <summary>The two ways the daemon lets go of a QEMU: release (QEMU keeps running) and kill.</summary>
internal static class QemuEnd
{
    /// <summary>Closes our monitor connection and stops watching; QEMU itself keeps running.</summary>
    public static void Release(QemuProcess process) => _ = process.DisposeAsync().AsTask();

    public static async Task KillAndReleaseAsync(QemuProcess process)
    {
        try
        {
            await process.KillAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        finally
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The exit, reported once the monitor has delivered everything up to its EOF: QEMU writes its last events
    /// (SHUTDOWN) before it exits, but the exit may be seen first, and a guest poweroff must never be taken for a crash.
    /// </summary>
    public static async Task<ProcessExit> ExitAfterLastEventsAsync(QemuProcess process)
    {
        ProcessExit exit;
        try
        {
            exit = await process.Exited.ConfigureAwait(false);
        }
        catch (Exception)
        {
            exit = ProcessExit.Unknown;
        }
        await Task.WhenAny(process.Qmp.Completion, Task.Delay(MonitorDrainLimit)).ConfigureAwait(false);
        return exit;
    }

    /// <summary>How long a dead QEMU's monitor may take to reach EOF; its socket closes with the process, so this is a bound only.</summary>
    private static readonly TimeSpan MonitorDrainLimit = TimeSpan.FromSeconds(2);
}
