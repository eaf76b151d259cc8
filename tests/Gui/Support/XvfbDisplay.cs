using System.Diagnostics;

namespace Virt.Gui.Tests.Support;

/// <summary>A private X server (Debian's Xvfb) on a free display number; killed by pid on dispose.</summary>
public sealed class XvfbDisplay : IDisposable
{
    private readonly Process _process;

    private XvfbDisplay(Process process, string display)
    {
        _process = process;
        Display = display;
    }

    /// <summary>":N", for DISPLAY.</summary>
    public string Display { get; }

    public static async Task<XvfbDisplay> StartAsync(int width = 1280, int height = 800)
    {
        // -displayfd: Xvfb picks a free display and writes its number once it accepts clients.
        var info = new ProcessStartInfo("Xvfb")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-displayfd", "1", "-screen", "0", $"{width}x{height}x24", "-nolisten", "tcp" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException("Xvfb did not start");
        try
        {
            _ = process.StandardError.ReadToEndAsync();
            var number = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            if (!int.TryParse(number, out var n))
                throw new InvalidOperationException($"Xvfb gave no display number (got '{number}')");
            return new XvfbDisplay(process, ":" + n);
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
