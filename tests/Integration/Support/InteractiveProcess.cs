using System.Diagnostics;
using System.Text;

namespace Virt.Integration.Tests.Support;

/// <summary>
/// A client program a test talks to while it runs (a console): bytes to its stdin, its stdout collected as it comes.
/// Disposing ends it by its pid, with its children, if it is still running.
/// </summary>
public sealed class InteractiveProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly Task _readers;

    private InteractiveProcess(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(Collect(process.StandardOutput.BaseStream, _output), Collect(process.StandardError.BaseStream, _error));
    }

    public int Pid => _process.Id;
    public string Output { get { lock (_output) return _output.ToString(); } }
    public string Error { get { lock (_error) return _error.ToString(); } }

    public static InteractiveProcess Start(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return new InteractiveProcess(Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start"));
    }

    /// <summary>
    /// Under a pseudo-terminal that python3's pty.spawn relays to this process's pipes, for programs that need a terminal
    /// (virsh console) or behave differently on one; the program's stderr comes on the same terminal, so on stdout here.
    /// </summary>
    public static InteractiveProcess StartUnderTerminal(string program, params string[] args) =>
        Start("/usr/bin/python3", ["-c", PtySpawn, program, .. args]);

    private const string PtySpawn = "import os, pty, sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))";

    /// <summary>Bytes as Latin-1, so whatever the guest sends maps to one character each.</summary>
    private static async Task Collect(Stream stream, StringBuilder into)
    {
        var buffer = new byte[4096];
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            lock (into)
                into.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
    }

    public async Task SendAsync(string text)
    {
        await _process.StandardInput.BaseStream.WriteAsync(Encoding.Latin1.GetBytes(text));
        await _process.StandardInput.BaseStream.FlushAsync();
    }

    /// <summary>Waits until stdout holds <paramref name="text"/>, which then appears at least <paramref name="times"/> times.</summary>
    public async Task WaitForOutputAsync(string text, int times = 1, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (Occurrences(Output, text) < times)
        {
            if (_process.HasExited && _readers.IsCompleted && Occurrences(Output, text) < times)
                throw new InvalidOperationException($"exited ({_process.ExitCode}) before printing '{text}' x{times}; stdout:\n{Output}\nstderr:\n{Error}");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no '{text}' x{times} in time; stdout:\n{Output}\nstderr:\n{Error}");
            await Task.Delay(10);
        }
    }

    private static int Occurrences(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    public async Task<int> WaitForExitAsync(TimeSpan? limit = null)
    {
        using var timeout = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
        await _readers.WaitAsync(timeout.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
