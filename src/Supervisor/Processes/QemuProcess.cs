using Virt.Protocol.Errors;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Processes;

/// <summary>
/// One running QEMU and its QMP connection, spawned by us or adopted after a daemon restart.
/// Disposing closes the monitor connection only: QEMU keeps running (a child is still reaped when it exits).
/// </summary>
public sealed class QemuProcess : IAsyncDisposable
{
    private readonly ProcessHandle _handle;

    private QemuProcess(ProcessHandle handle, ulong startTime, string monitorPath, QmpClient qmp, bool isChild)
    {
        _handle = handle;
        StartTime = startTime;
        MonitorPath = monitorPath;
        Qmp = qmp;
        IsChild = isChild;
    }

    public int Pid => _handle.Pid;
    /// <summary>Field 22 of /proc/PID/stat (clock ticks since boot): with the pid it identifies this process.</summary>
    public ulong StartTime { get; }
    public string MonitorPath { get; }
    public QmpClient Qmp { get; }
    /// <summary>True when we spawned it, so its exit status is known; false when adopted.</summary>
    public bool IsChild { get; }
    /// <summary>Completes when the process is gone (and reaped, if it is our child).</summary>
    public Task<ProcessExit> Exited => _handle.Exited;

    /// <summary>Spawns QEMU, waits for its monitor socket and connects QMP; returns only when QMP is ready.</summary>
    /// <exception cref="VirtException">OperationFailed, quoting QEMU's own last log lines; nothing is left running.</exception>
    public static async Task<QemuProcess> LaunchAsync(QemuLaunchSpec spec, QmpClientOptions? qmpOptions = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var started = await QemuStarter.StartAsync(
            spec, (path, token) => QmpClient.ConnectAsync(path, qmpOptions, token), ct).ConfigureAwait(false);
        return new QemuProcess(started.Handle, started.StartTime, spec.MonitorPath, started.Monitor, isChild: true);
    }

    /// <summary>Reconnects to a QEMU this process did not spawn (daemon restart, attach).</summary>
    /// <exception cref="VirtException">OperationFailed when the pid is gone or now names another process (start time differs).</exception>
    public static async Task<QemuProcess> AdoptAsync(int pid, ulong expectedStartTime, string monitorPath,
        QmpClientOptions? qmpOptions = null, CancellationToken ct = default)
    {
        // Open the pidfd first, then check the start time: the pidfd then surely names the process we checked.
        var handle = ProcessHandle.Open(pid, reap: false);
        try
        {
            var stat = ProcFs.ReadStat(pid);
            if (stat is null || stat.IsZombie)
                throw new VirtException(ErrorCode.OperationFailed, $"process {pid} is not running");
            if (stat.StartTime != expectedStartTime)
                throw new VirtException(ErrorCode.OperationFailed,
                    $"process {pid} is not the expected QEMU: the pid was reused (start time {stat.StartTime}, expected {expectedStartTime})");
            var qmp = await QmpClient.ConnectAsync(monitorPath, qmpOptions, ct).ConfigureAwait(false);
            return new QemuProcess(handle, stat.StartTime, monitorPath, qmp, isChild: false);
        }
        catch
        {
            handle.StopWatching();
            throw;
        }
    }

    /// <summary>
    /// SIGTERM, wait up to grace (default 10 s), then SIGKILL and wait for the exit. graceful: never SIGKILL,
    /// and return false if it is still alive. Independent of QMP, so it works while a command is in flight.
    /// </summary>
    public Task<bool> KillAsync(TimeSpan? grace = null, bool graceful = false) =>
        ProcessControl.KillAsync(_handle, grace, graceful);

    /// <summary>Sends one signal (e.g. SIGSTOP in tests); false when the process is gone.</summary>
    public bool SendSignal(int signal) => _handle.Signal(signal);

    public async ValueTask DisposeAsync()
    {
        await Qmp.DisposeAsync().ConfigureAwait(false);
        _handle.StopWatching();
    }
}
