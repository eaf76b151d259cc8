using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.Supervisor.TestGuest;

namespace Virt.Integration.Tests.Attach;

/// <summary>The test guest in a QEMU the test starts itself, as a person would by hand; killed by pid on dispose.</summary>
internal sealed class HandStartedQemu : IDisposable
{
    private readonly Process _process;

    private HandStartedQemu(Process process, string image) => (_process, Image) = (process, image);

    public int Pid => _process.Id;
    public string Image { get; }
    public bool HasExited => _process.HasExited;

    /// <summary>Starts it in <paramref name="dir"/> (image NAME.img, serial NAME.serial, monitor NAME.sock unless <paramref name="qmp"/> is false).</summary>
    public static HandStartedQemu Start(string dir, string name, Guid uuid, bool qmp = true)
    {
        var image = Path.Combine(dir, name + ".img");
        TestGuestImage.Write(image);
        var info = new ProcessStartInfo("qemu-system-x86_64") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        string[] args = ["-name", name, "-uuid", uuid.ToString("D"), "-machine", "pc", "-accel", "tcg", "-m", "16",
            "-drive", $"file={image},format=raw,if=ide", "-serial", $"file:{TestGuest.SerialPath(dir, name)}", "-display", "none", "-nodefaults"];
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        if (qmp)
        {
            info.ArgumentList.Add("-qmp");
            info.ArgumentList.Add($"unix:{Path.Combine(dir, name + ".sock")},server=on,wait=off");
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("qemu-system-x86_64 did not start");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new HandStartedQemu(process, image);
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
