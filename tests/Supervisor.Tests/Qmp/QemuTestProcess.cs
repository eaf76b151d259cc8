using System.Diagnostics;
using System.Text;

namespace Virt.Supervisor.Tests.Qmp;

/// <summary>A real qemu-system-x86_64 started by a test with a QMP UNIX socket; killed by pid on dispose.</summary>
internal sealed class QemuTestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    public string QmpSocket { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    private QemuTestProcess(Process process, string qmpSocket)
    {
        _process = process;
        QmpSocket = qmpSocket;
    }

    public static string Binary { get; } = FindOnPath("qemu-system-x86_64");

    /// <summary>Starts a paused (-S) TCG guest with no devices and waits until its QMP socket exists.</summary>
    public static async Task<QemuTestProcess> StartPausedAsync(string directory, string machine = "pc")
    {
        var socket = Path.Combine(directory, "qmp.sock");
        var info = new ProcessStartInfo(Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-machine", machine, "-accel", "tcg", "-S", "-nodefaults", "-display", "none",
                     "-qmp", $"unix:{socket},server=on,wait=off" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("qemu did not start");
        var qemu = new QemuTestProcess(process, socket);
        process.ErrorDataReceived += (_, e) => { lock (qemu._stderr) qemu._stderr.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            // QEMU creates the listening socket before it runs the main loop; nothing to await but the file.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!File.Exists(socket))
            {
                if (process.HasExited)
                    throw new InvalidOperationException($"qemu exited with {process.ExitCode}: {qemu.Stderr}");
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"qemu did not create {socket}: {qemu.Stderr}");
                await Task.Delay(10);
            }
            return qemu;
        }
        catch
        {
            await qemu.DisposeAsync();
            throw;
        }
    }

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    public Task WaitForExitAsync(CancellationToken ct) => _process.WaitForExitAsync(ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        _process.Dispose();
    }

    internal static string FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException($"{name} not found on PATH");
    }
}
