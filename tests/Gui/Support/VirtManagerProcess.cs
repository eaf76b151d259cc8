using System.Diagnostics;
using System.Text;

namespace Virt.Gui.Tests.Support;

/// <summary>
/// Debian's virt-manager on an X display, connected to one socket, with --debug (its log is what the tests read) and a
/// private home whose settings turn its confirmation dialogs off; killed by pid on dispose.
/// </summary>
public sealed class VirtManagerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private VirtManagerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>
    /// The URI form virt-manager accepts for a local daemon at any socket: without "+unix", or it refuses every console
    /// listening on loopback before it calls anything (GUI-CLIENTS.md §1.1).
    /// </summary>
    public static string UriFor(string socketPath) => $"qemu:///session?socket={socketPath}";

    public static VirtManagerProcess Start(string display, string home, string socketPath, params string[] extraArgs)
    {
        var config = Path.Combine(home, ".config");
        var runtime = Path.Combine(home, "runtime");
        Directory.CreateDirectory(Path.Combine(config, "glib-2.0", "settings"));
        Directory.CreateDirectory(runtime, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // GIO's keyfile backend reads this file: no dialog asks before a force off, a shutdown or a pause.
        File.WriteAllText(Path.Combine(config, "glib-2.0", "settings", "keyfile"), """
            [org/virt-manager/virt-manager/confirm]
            forcepoweroff=false
            poweroff=false
            pause=false
            delete-storage=false

            """);
        var info = new ProcessStartInfo("virt-manager")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--connect", UriFor(socketPath), "--debug" }.Concat(extraArgs))
            info.ArgumentList.Add(arg);
        info.Environment["DISPLAY"] = display;
        info.Environment["HOME"] = home;
        info.Environment["XDG_CONFIG_HOME"] = config;
        info.Environment["XDG_RUNTIME_DIR"] = runtime;
        info.Environment["GSETTINGS_BACKEND"] = "keyfile";
        info.Environment["NO_AT_BRIDGE"] = "1"; // no accessibility bus here
        info.Environment["LIBVIRT_AUTOSTART"] = "0"; // never spawn libvirt's own daemon
        return new VirtManagerProcess(Process.Start(info) ?? throw new InvalidOperationException("virt-manager did not start"));
    }

    /// <summary>Waits until the debug log holds <paramref name="text"/>; fails with the log's tail if it does not within the time.</summary>
    public async Task WaitForLogAsync(string text, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                var log = Log;
                Assert.Fail($"virt-manager's log has no '{text}' ({(_process.HasExited ? "it exited" : "timed out")}); its end:\n{log[Math.Max(0, log.Length - 3000)..]}");
            }
            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.AppendLine(line);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
