using System.Diagnostics;

namespace Virt.Supervisor.Tests.Attach;

/// <summary>A process a test starts (QEMU or not), killed by its pid on dispose whatever the test's outcome.</summary>
internal sealed class StartedProcess : IAsyncDisposable
{
    private readonly Process _process;

    public int Pid => _process.Id;

    private StartedProcess(Process process) => _process = process;

    public static StartedProcess Start(string binary, IEnumerable<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{binary} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new StartedProcess(process);
    }

    public static string OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{name} is not on PATH");

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    /// <summary>Completes when <paramref name="path"/> exists (QEMU creates its listening socket during start-up).</summary>
    public async Task WaitForFileAsync(string path, TimeSpan timeout)
    {
        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path));
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, _) => created.TrySetResult();
        watcher.EnableRaisingEvents = true;
        if (File.Exists(path))
            return;
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(created.Task, exited, Task.Delay(timeout));
        if (done == exited)
            throw new InvalidOperationException($"process {Pid} exited with {_process.ExitCode} before creating {path}");
        if (done != created.Task && !File.Exists(path))
            throw new TimeoutException($"process {Pid} did not create {path} within {timeout}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
