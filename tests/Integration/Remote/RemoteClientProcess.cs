using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Virt.Integration.Tests.Remote;

/// <summary>tests/RemoteClient run as its own process; SIGKILLed by pid on dispose if still alive.</summary>
public sealed class RemoteClientProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _output = new();

    private RemoteClientProcess(Process process) => _process = process;

    public int Pid => _process.Id;
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static RemoteClientProcess Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "virt-remote-client.dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var client = new RemoteClientProcess(Process.Start(info)!);
        client._process.OutputDataReceived += (_, e) => client.Append(e.Data, toLines: true);
        client._process.ErrorDataReceived += (_, e) => client.Append(e.Data, toLines: false);
        client._process.BeginOutputReadLine();
        client._process.BeginErrorReadLine();
        return client;
    }

    private void Append(string? line, bool toLines)
    {
        if (line is null)
        {
            if (toLines)
                _lines.Writer.TryComplete();
            return;
        }
        lock (_output)
            _output.AppendLine(line);
        if (toLines)
            _lines.Writer.TryWrite(line);
    }

    /// <summary>The next line on stdout; fails with everything the client said if it ends first.</summary>
    public async Task<string> ReadLineAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            throw new InvalidOperationException($"the remote client printed no line ({e.GetType().Name}):\n{Output}");
        }
    }

    public void KillHard()
    {
        if (!_process.HasExited)
            _ = kill(_process.Id, 9);
        _process.WaitForExit(10_000);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int sig);

    public ValueTask DisposeAsync()
    {
        KillHard();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
