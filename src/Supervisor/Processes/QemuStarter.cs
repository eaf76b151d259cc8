using Virt.Protocol.Errors;
using Virt.Supervisor.Native;

namespace Virt.Supervisor.Processes;

/// <summary>
/// Spawns QEMU detached (own session, output to the log file), waits until its monitor socket answers,
/// and on any failure leaves nothing behind: the process killed and reaped, the socket file removed,
/// and an error that quotes QEMU's own last log lines.
/// </summary>
internal static class QemuStarter
{
    private static readonly TimeSpan SocketPollInterval = TimeSpan.FromMilliseconds(2);

    public sealed record Started<TMonitor>(ProcessHandle Handle, ulong StartTime, TMonitor Monitor);

    public static async Task<Started<TMonitor>> StartAsync<TMonitor>(
        QemuLaunchSpec spec, Func<string, CancellationToken, Task<TMonitor>> connect, CancellationToken ct)
    {
        TryDelete(spec.MonitorPath);
        var argv = new List<string>(spec.Arguments.Count + 1) { spec.Emulator };
        argv.AddRange(spec.Arguments);
        long offset;
        try
        {
            offset = QemuLog.WriteHeader(spec.LogPath, DateTimeOffset.UtcNow, spec.Environment, argv);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot write log file {spec.LogPath}: {e.Message}", e);
        }

        // Watched before the spawn, so the socket's creation cannot slip between a look and the watch.
        using var socketWatch = DirectoryWatch.TryCreate(Path.GetDirectoryName(Path.GetFullPath(spec.MonitorPath))!);
        var pid = await SpawnAsync(spec, argv).ConfigureAwait(false);
        ProcessHandle handle;
        try
        {
            handle = ProcessHandle.Open(pid, reap: true);
        }
        catch
        {
            LibC.Kill(pid, LibC.SIGKILL);
            LibC.WaitPid(pid, out _, 0);
            throw;
        }
        // A child cannot be reaped behind our back, so its /proc entry exists even if it already exited.
        var startTime = ProcFs.ReadStartTime(pid) ?? 0;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(spec.StartTimeout);
        var expired = Task.Delay(Timeout.Infinite, timeout.Token);
        Exception? lastError = null;
        try
        {
            while (true)
            {
                var changed = socketWatch?.NextChangeAsync();
                timeout.Token.ThrowIfCancellationRequested();
                if (handle.Exited.IsCompleted)
                    throw new StartFailed($"QEMU {await handle.Exited.ConfigureAwait(false)} before its monitor was ready");
                if (File.Exists(spec.MonitorPath))
                {
                    try
                    {
                        var monitor = await connect(spec.MonitorPath, timeout.Token).ConfigureAwait(false);
                        return new Started<TMonitor>(handle, startTime, monitor);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // QEMU is dying (the loop head tells), or the socket is not ours to use: try again a moment later.
                        lastError = e;
                        changed = null;
                    }
                }
                // Without inotify (or after a failed connect) a short poll; the exit and the timeout end the wait early.
                await Task.WhenAny(handle.Exited, changed ?? Task.Delay(SocketPollInterval, timeout.Token), expired).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            await ProcessControl.KillNowAsync(handle).ConfigureAwait(false);
            TryDelete(spec.MonitorPath);
            if (ct.IsCancellationRequested)
                throw new OperationCanceledException("QEMU start cancelled; the process was killed", e, ct);
            var reason = e switch
            {
                StartFailed f => f.Message,
                OperationCanceledException => $"QEMU's monitor was not ready within {spec.StartTimeout.TotalSeconds:0.###} s"
                    + (lastError is null ? "" : $" (last error: {lastError.Message})"),
                _ => $"cannot connect to QEMU's monitor: {e.Message}",
            };
            var tail = QemuLog.ReadTail(spec.LogPath, offset);
            var quoted = tail.Count == 0 ? "no output in the log" : string.Join("\n", tail);
            throw new VirtException(ErrorCode.OperationFailed, $"{reason}; log {spec.LogPath}:\n{quoted}", e);
        }
    }

    private static Task<int> SpawnAsync(QemuLaunchSpec spec, List<string> argv)
    {
        var environment = ProcessControl.BuildEnvironment(spec.Environment);
        if (!spec.DiesWithParent)
            return Task.FromResult(PosixSpawn.SpawnDetached(spec.Emulator, argv, environment, spec.LogPath, spec.InheritedDescriptors));
        if (!DeathSignal.Available)
            throw new VirtException(ErrorCode.OperationFailed,
                $"cannot tie QEMU's life to this process: {DeathSignal.SetPriv} (util-linux) is missing");
        var wrapped = DeathSignal.Wrap(spec.Emulator, argv.Skip(1));
        return ParentThread.RunAsync(() => PosixSpawn.SpawnDetached(wrapped[0], wrapped, environment, spec.LogPath, spec.InheritedDescriptors));
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private sealed class StartFailed(string message) : Exception(message);
}
