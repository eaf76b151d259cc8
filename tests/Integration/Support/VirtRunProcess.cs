using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Virt.Supervisor.Processes;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Support;

/// <summary>
/// The native `virt run` as users start it from a script: its own session (setsid), stdin from /dev/null, and SIGINT and
/// SIGQUIT ignored as a shell leaves them for a background job. Disposing kills it by pid if it is still there.
/// </summary>
public sealed class VirtRunProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private VirtRunProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static VirtRunProcess Start(string xmlFile, string root, params string[] extra)
    {
        var info = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "-c", "trap '' INT QUIT; exec setsid \"$0\" \"$@\" </dev/null", NativeVirt.Path, "run", xmlFile, "--root", root })
            info.ArgumentList.Add(arg);
        foreach (var arg in extra)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("virt run did not start");
        return new VirtRunProcess(process);
    }

    /// <summary>Waits until the output has <paramref name="text"/>; fails with the output so far.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
                throw new TimeoutException($"virt run printed no '{text}'; its output:\n{Output}");
            await Task.Delay(20);
        }
    }

    public void Signal(int signal)
    {
        if (Kill(Pid, signal) != 0)
            throw new InvalidOperationException($"kill({Pid}, {signal}) failed: {Marshal.GetLastPInvokeErrorMessage()}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited && ProcFs.IsAlive(Pid))
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
