using Virt.Protocol.Errors;
using Virt.Supervisor.Attach;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.Status;

namespace Virt.Actors.Registry;

/// <summary>The I/O of an attach, run off the registry: inspect the process, refuse a QEMU Virt already runs, ask QEMU its state.</summary>
internal static class AttachProbe
{
    /// <remarks>
    /// The monitor is closed again before returning: the domain actor adopts the process with its own connection,
    /// whose events it receives. The managed check comes before connecting, as QMP serves one client at a time.
    /// </remarks>
    public static async Task<AttachedQemu> RunAsync(int pid, StatusFileStore statusFiles, string runtimeDir, TimeSpan timeout)
    {
        var candidate = QemuAttacher.Inspect(pid);
        if (ManagedBy(candidate, statusFiles.List(), runtimeDir) is { } problem)
            throw new VirtException(ErrorCode.OperationInvalid, problem);
        using var cts = new CancellationTokenSource(timeout);
        AttachedQemu attached;
        try
        {
            attached = await QemuAttacher.ConnectAsync(candidate, cts.Token, new QmpClientOptions { CommandTimeout = timeout, ConnectTimeout = timeout })
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or QmpTimeoutException or QmpConnectionException)
        {
            throw new VirtException(ErrorCode.OperationFailed,
                $"cannot use the QMP monitor {candidate.MonitorSocketPath} of process {pid}: {e.Message} (is another client connected to it?)", e);
        }
        await attached.Monitor.DisposeAsync().ConfigureAwait(false);
        return attached;
    }

    /// <summary>Why the candidate is a QEMU Virt already manages, or null: a status file names its pid, or its monitor is ours.</summary>
    public static string? ManagedBy(AttachCandidate candidate, IEnumerable<StatusFileReadResult> statuses, string runtimeDir)
    {
        foreach (var file in statuses)
        {
            if (file.Status is { } status && status.Pid == candidate.Pid && status.ProcessStartTime == candidate.Process.StartTime)
                return $"process {candidate.Pid} is already managed as domain '{status.Name}' (uuid {status.Uuid})";
        }
        var dir = Path.TrimEndingDirectorySeparator(Path.GetFullPath(runtimeDir)) + Path.DirectorySeparatorChar;
        if (Path.GetFullPath(candidate.MonitorSocketPath).StartsWith(dir, StringComparison.Ordinal))
            return $"process {candidate.Pid} is a QEMU that Virt is starting (its monitor {candidate.MonitorSocketPath} is in Virt's runtime directory)";
        return null;
    }
}
