using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Virt.Supervisor.CommandLine;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>
/// A real QEMU started from a built command line, with a minimal QMP connection for checks.
/// Disposing kills it by pid and reaps it, whatever happened in the test.
/// </summary>
internal sealed class RunningQemu : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    private RunningQemu(Process process, Socket socket)
    {
        _process = process;
        _socket = socket;
        _stream = new NetworkStream(socket);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<RunningQemu> StartAsync(QemuCommandLine commandLine, string monitorPath, CancellationToken ct)
    {
        var start = new ProcessStartInfo(commandLine.Emulator) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var argument in commandLine.Arguments)
            start.ArgumentList.Add(argument);

        using var watcher = new FileSystemWatcher(Path.GetDirectoryName(monitorPath)!, Path.GetFileName(monitorPath)) { EnableRaisingEvents = true };
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        watcher.Created += (_, _) => created.TrySetResult();

        var process = Process.Start(start) ?? throw new InvalidOperationException("QEMU did not start");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            if (!File.Exists(monitorPath))
            {
                var exited = process.WaitForExitAsync(ct);
                await Task.WhenAny(created.Task, exited).WaitAsync(TimeSpan.FromSeconds(30), ct);
                if (exited.IsCompleted && !File.Exists(monitorPath))
                    throw new InvalidOperationException($"QEMU exited with {process.ExitCode}: {await stderr}\n{commandLine.ToShellString()}");
            }
            var socket = await ConnectAsync(monitorPath, process, ct);
            var qemu = new RunningQemu(process, socket);
            await qemu.ReadMessageAsync(ct); // greeting
            await qemu.ExecuteAsync("qmp_capabilities", ct);
            return qemu;
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    public int Pid => _process.Id;

    /// <summary>Runs a QMP command and returns its "return" value; a QMP error fails the test with QEMU's text.</summary>
    public async Task<JsonNode> ExecuteAsync(string command, CancellationToken ct, JsonObject? arguments = null)
    {
        var request = new JsonObject { ["execute"] = command };
        if (arguments is not null)
            request["arguments"] = arguments;
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n"), ct);
        while (true)
        {
            var message = await ReadMessageAsync(ct);
            if (message["return"] is { } result)
                return result;
            if (message["error"] is { } error)
                throw new InvalidOperationException($"QMP {command} failed: {error.ToJsonString()}");
            // Anything else is an event; skip it.
        }
    }

    private async Task<JsonObject> ReadMessageAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct)
            ?? throw new InvalidOperationException("QMP closed");
        return JsonNode.Parse(line)!.AsObject();
    }

    private static async Task<Socket> ConnectAsync(string path, Process process, CancellationToken ct)
    {
        // The socket file appears at bind(); listen() follows, so a refusal can only be that gap, which a loaded
        // machine can stretch to milliseconds: retried for as long as QEMU lives, up to 10 s.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && DateTime.UtcNow < deadline && !process.HasExited)
            {
                socket.Dispose();
                await Task.Delay(1, ct);
            }
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill();
            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException) { }
        process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _socket.Dispose();
        Kill(_process);
        return ValueTask.CompletedTask;
    }
}
