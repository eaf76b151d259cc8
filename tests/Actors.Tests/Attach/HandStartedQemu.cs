using System.Diagnostics;
using Virt.Supervisor.Processes;

namespace Virt.Actors.Tests.Attach;

/// <summary>A QEMU started by the test itself, as a person would start one by hand; killed by pid on dispose.</summary>
internal sealed class HandStartedQemu : IDisposable
{
    private readonly Process _process;

    private HandStartedQemu(Process process, string? monitorPath)
    {
        _process = process;
        MonitorPath = monitorPath;
    }

    public int Pid => _process.Id;
    public string? MonitorPath { get; }

    /// <summary>Starts qemu-system-x86_64 with the test guest image; without <paramref name="monitorPath"/> it has no QMP monitor.</summary>
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
        return new HandStartedQemu(process, monitorPath);
    }

    public bool IsAlive => ProcFs.IsAlive(Pid);

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
