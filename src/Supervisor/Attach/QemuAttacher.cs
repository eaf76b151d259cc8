using System.Text.Json;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Attach;

/// <summary>A QEMU process taken over by Virt: its definition, state and a connected monitor the caller now owns.</summary>
public sealed record AttachedQemu
{
    public required int Pid { get; init; }
    /// <summary>Start time in clock ticks since boot, to tell this process from a later one with the same pid.</summary>
    public required ulong StartTime { get; init; }
    public required DomainDefinition Definition { get; init; }
    public required string MonitorSocketPath { get; init; }
    /// <summary>QEMU's run state from query-status (running, paused, prelaunch, shutdown...).</summary>
    public required string Status { get; init; }
    public required bool Running { get; init; }
    /// <summary>The libvirt domain state QEMU's status maps to (prelaunch, the state after -S, is paused).</summary>
    public required AttachedState State { get; init; }
    public required bool KvmEnabled { get; init; }
    public required bool KvmPresent { get; init; }
    /// <summary>external-launch always; custom-argv when options were kept as passthrough.</summary>
    public required IReadOnlyList<string> Taints { get; init; }
    public required QmpClient Monitor { get; init; }
    /// <summary>What /proc showed: argv, environment, emulator binary.</summary>
    public required InspectedQemuProcess Process { get; init; }
}

/// <summary>The libvirt states an attached QEMU can be found in.</summary>
public enum AttachedState { Running, Paused, Shutdown, Crashed }

/// <summary>libvirt's qemu-attach: inspects a running QEMU, rebuilds its definition from argv and connects to its QMP monitor.</summary>
public static class QemuAttacher
{
    public static async Task<AttachedQemu> AttachAsync(int pid, CancellationToken ct = default, QmpClientOptions? options = null)
    {
        var process = ProcessInspector.Inspect(pid);
        var argv = process.Argv.ToArray();
        argv[0] = process.ExecutablePath; // argv[0] may be a bare name; the link is the binary that runs
        var parsed = QemuArgvParser.Parse(argv, $"qemu-{pid}");
        if (parsed.MonitorSocketPath is not { } monitor)
            throw new VirtException(ErrorCode.OperationInvalid,
                $"process {pid} has no QMP monitor on a UNIX socket: start QEMU with e.g. -qmp unix:/path/to/sock,server=on,wait=off");
        if (!Path.IsPathRooted(monitor) && process.WorkingDirectory is { } cwd)
            monitor = Path.Combine(cwd, monitor);

        var client = await QmpClient.ConnectAsync(monitor, options, ct).ConfigureAwait(false);
        try
        {
            var status = await client.ExecuteAsync("query-status", ct: ct).ConfigureAwait(false);
            var kvm = await client.ExecuteAsync("query-kvm", ct: ct).ConfigureAwait(false);
            // Still the same process? A pid reused while we connected would show another start time.
            if (ProcStat.ReadStartTime(pid) != process.StartTime)
                throw new VirtException(ErrorCode.NoDomain, $"process {pid} exited while attaching");
            var statusName = status.GetProperty("status").GetString() ?? "unknown";
            var running = status.GetProperty("running").GetBoolean();
            return new AttachedQemu
            {
                Pid = pid,
                StartTime = process.StartTime,
                Definition = parsed.Definition,
                MonitorSocketPath = monitor,
                Status = statusName,
                Running = running,
                State = StateOf(statusName, running),
                KvmEnabled = kvm.GetProperty("enabled").GetBoolean(),
                KvmPresent = kvm.GetProperty("present").GetBoolean(),
                Taints = [DomainTaints.ExternalLaunch, .. parsed.Taints],
                Monitor = client,
                Process = process,
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or JsonException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new VirtException(ErrorCode.OperationFailed, $"process {pid}: unexpected reply from QEMU's monitor: {e.Message}", e);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal static AttachedState StateOf(string status, bool running) => status switch
    {
        _ when running => AttachedState.Running,
        "shutdown" => AttachedState.Shutdown,
        "guest-panicked" => AttachedState.Crashed,
        _ => AttachedState.Paused, // prelaunch, paused, debug, io-error, suspended, inmigrate...
    };
}
