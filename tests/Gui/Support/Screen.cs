using System.Diagnostics;
using Virt.TestSupport;

namespace Virt.Gui.Tests.Support;

/// <summary>What a person does on the X display: clicks (xdotool) and looks (a screenshot kept as a test artifact).</summary>
public sealed class Screen(string display)
{
    /// <summary>Screenshots go here (TestResults/gui under the repository), for CI to keep and people to look at.</summary>
    public static string ArtifactDirectory { get; } = Directory.CreateDirectory(Path.Combine(RepoPaths.Root, "TestResults", "gui")).FullName;

    public async Task ClickAsync(int x, int y)
    {
        await RunAsync("xdotool", "mousemove", x.ToString(System.Globalization.CultureInfo.InvariantCulture),
            y.ToString(System.Globalization.CultureInfo.InvariantCulture), "click", "1");
        await Task.Delay(300); // GTK handles the press and release
    }

    /// <summary>Types text as key presses into the window under the pointer (X gives it the focus without a window manager).</summary>
    public async Task TypeAsync(string text)
    {
        await RunAsync("xdotool", "type", "--delay", "100", text);
        await Task.Delay(300);
    }

    /// <summary>The whole screen as a PNG in the artifact directory; returns its path.</summary>
    public async Task<string> ShotAsync(string name)
    {
        var path = Path.Combine(ArtifactDirectory, name + ".png");
        await RunAsync("/usr/bin/python3", Path.Combine(AppContext.BaseDirectory, "Support", "screenshot.py"), path);
        return path;
    }

    private async Task RunAsync(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["DISPLAY"] = display;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            var error = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}: {await error}");
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
        }
    }
}
