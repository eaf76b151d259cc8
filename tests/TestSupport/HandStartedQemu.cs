using System.Diagnostics;

namespace Virt.TestSupport;

/// <summary>A QEMU started by the test itself, as a person would start one by hand; killed by pid on dispose.</summary>
public sealed class HandStartedQemu : IDisposable
{
    private readonly Process _process;

    private HandStartedQemu(Process process, string image, string? monitorPath) =>
        (_process, Image, MonitorPath) = (process, image, monitorPath);

    public int Pid => _process.Id;
    public string Image { get; }
    public string? MonitorPath { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts qemu-system-x86_64 on <paramref name="image"/> (a test guest the caller wrote) with <paramref name="extra"/>
    /// first; without <paramref name="monitorPath"/> it has no QMP monitor.
    /// </summary>
    public static HandStartedQemu Start(string image, string serial, string? monitorPath, params string[] extra)
    {
        var info = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in extra)
            info.ArgumentList.Add(arg);
        string[] common = ["-machine", "pc", "-accel", "tcg", "-m", "16", "-drive", $"file={image},format=raw,if=ide",
            "-serial", $"file:{serial}", "-display", "none", "-nodefaults"];
        foreach (var arg in common)
            info.ArgumentList.Add(arg);
        if (monitorPath is not null)
        {
            info.ArgumentList.Add("-qmp");
            info.ArgumentList.Add($"unix:{monitorPath},server=on,wait=off");
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new HandStartedQemu(process, image, monitorPath);
    }

    /// <summary>Waits for the exit; the process is gone from /proc once the test reaped it.</summary>
    public Task WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(new CancellationTokenSource(timeout).Token);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill();
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
