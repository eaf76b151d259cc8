using Virt.Supervisor.Native;

namespace Virt.Supervisor.Processes;

/// <summary>Terminating a watched process: SIGTERM, a bounded wait, then SIGKILL.</summary>
internal static class ProcessControl
{
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(10);

    /// <summary>True once the process is gone; false only when graceful and it outlived the grace period.</summary>
    public static async Task<bool> KillAsync(ProcessHandle handle, TimeSpan? grace, bool graceful)
    {
        if (handle.Exited.IsCompleted)
            return true;
        handle.Signal(LibC.SIGTERM);
        using (var cts = new CancellationTokenSource())
        {
            var winner = await Task.WhenAny(handle.Exited, Task.Delay(grace ?? DefaultGrace, cts.Token)).ConfigureAwait(false);
            cts.Cancel();
            if (winner == handle.Exited)
                return true;
        }
        if (graceful)
            return false;
        handle.Signal(LibC.SIGKILL);
        await handle.Exited.ConfigureAwait(false);
        return true;
    }

    /// <summary>SIGKILL and wait for the exit (and reaping, for a child).</summary>
    public static async Task KillNowAsync(ProcessHandle handle)
    {
        handle.Signal(LibC.SIGKILL);
        try { await handle.Exited.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    /// <summary>The environment for the child: ours with the overrides applied.</summary>
    public static List<string> BuildEnvironment(IReadOnlyDictionary<string, string>? overrides)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            env[(string)e.Key] = (string?)e.Value ?? "";
        if (overrides is not null)
            foreach (var (k, v) in overrides)
                env[k] = v;
        return env.Select(kv => $"{kv.Key}={kv.Value}").ToList();
    }
}
