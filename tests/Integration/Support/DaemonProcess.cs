using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Virt.Integration.Tests.Support;

/// <summary>The real virtd, started as its own process on a private tree; killed by pid on dispose.</summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private bool _disposed;

    private DaemonProcess(string root, Process process, bool system)
    {
        Root = root;
        SocketPath = system ? Path.Combine(root, "run", "virt", "virt-sock") : Path.Combine(root, "run", "virt-sock");
        _process = process;
    }

    public string Root { get; }
    public int Pid => _process.Id;
    /// <summary>The read-write socket: ROOT/run/virt-sock, or for a system daemon under the prefix ROOT, ROOT/run/virt/virt-sock.</summary>
    public string SocketPath { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }
    public bool HasExited => _process.HasExited;

    public static Task<DaemonProcess> StartAsync(string root, params string[] extraArgs) => StartAsync(root, null, extraArgs);

    /// <param name="environment">Variables set for virtd only (XDG_RUNTIME_DIR, say).</param>
    public static async Task<DaemonProcess> StartAsync(string root, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs)
    {
        var daemon = Launch(root, environment, extraArgs);
        await daemon.WaitReadyAsync();
        return daemon;
    }

    public static DaemonProcess Launch(string root, params string[] extraArgs) => Launch(root, null, extraArgs);

    /// <summary>Starts virtd without waiting; for tests that expect it to refuse to start.</summary>
    public static DaemonProcess Launch(string root, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs) =>
        Launch(root, environment, null, extraArgs, null);

    /// <summary>
    /// virtd in a network namespace of its own, made by unshare, after <paramref name="setup"/> (shell commands: ip link
    /// add ... type bridge) ran inside it, loopback up. unshare and sh exec into virtd, so the pid is virtd's and the namespace ends
    /// with it.
    /// </summary>
    public static async Task<DaemonProcess> StartInNetworkNamespaceAsync(string root, string setup, params string[] extraArgs)
    {
        var daemon = Launch(root, null, setup, extraArgs, null);
        await daemon.WaitReadyAsync();
        return daemon;
    }

    /// <summary>
    /// virtd as systemd's socket activation starts it: Debian's python binds and listens on the daemon's socket, puts it
    /// at descriptor 3 with LISTEN_PID and LISTEN_FDS, and execs virtd (same pid). Returns at once; the socket listens
    /// before the daemon is there, once "activator: listening" is in <see cref="Output"/>.
    /// </summary>
    /// <param name="strayPath">A second socket passed along (fd 4) at a path this daemon does not serve.</param>
    public static DaemonProcess LaunchSocketActivated(string root, string? strayPath = null)
    {
        const string Activator = """
            import os, socket, sys
            paths = [p for p in sys.argv[1].split(",") if p]
            sockets = []
            for path in paths:
                os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.bind(path)  # as systemd: bound at the path itself, which is what virtd matches it by
                os.chmod(path, 0o600)
                s.listen(128)
                sockets.append(s)
            print("activator: listening", flush=True)
            for fd, s in enumerate(sockets, start=3):
                if s.fileno() != fd:
                    os.dup2(s.fileno(), fd)
                os.set_inheritable(fd, True)  # python's sockets are close-on-exec, and dup2 onto itself keeps that
            os.environ["LISTEN_PID"] = str(os.getpid())
            os.environ["LISTEN_FDS"] = str(len(sockets))
            os.execvp("dotnet", ["dotnet"] + sys.argv[2:])
            """;
        var socketPath = Path.Combine(root, "run", "virt-sock");
        return Launch(root, null, null, [], ["/usr/bin/python3", "-c", Activator, strayPath is null ? socketPath : $"{socketPath},{strayPath}"]);
    }

    /// <summary>
    /// virtd as another user (setpriv execs dotnet, so the pid is virtd's): a session daemon serves its own uid only,
    /// and a client that must not be root (cockpit) needs a daemon of its uid. The tree must be that user's.
    /// </summary>
    public static async Task<DaemonProcess> StartAsUserAsync(string root, int uid, IReadOnlyDictionary<string, string> environment, params string[] extraArgs)
    {
        var daemon = Launch(root, environment, null, extraArgs, ["setpriv", $"--reuid={uid}", $"--regid={uid}", "--clear-groups", "dotnet"]);
        await daemon.WaitReadyAsync();
        return daemon;
    }

    /// <summary>Runs a command inside the daemon's network namespace (nsenter), returning what it printed.</summary>
    public Task<ClientProcess.Result> InNamespaceAsync(params string[] command) =>
        ClientProcess.RunAsync("nsenter", [$"--net=/proc/{Pid}/ns/net", "--", .. command]);

    private static DaemonProcess Launch(string root, IReadOnlyDictionary<string, string>? environment, string? namespaceSetup, string[] extraArgs,
        string[]? wrapper = null)
    {
        var info = new ProcessStartInfo(wrapper?[0] ?? (namespaceSetup is null ? "dotnet" : "unshare"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in wrapper?[1..] ?? [])
            info.ArgumentList.Add(arg);
        if (namespaceSetup is not null)
        {
            foreach (var arg in new[] { "--net", "--", "sh", "-ec", "ip link set lo up\n" + namespaceSetup + "\nexec dotnet \"$@\"", "sh" })
                info.ArgumentList.Add(arg);
        }
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "virtd.dll"));
        info.ArgumentList.Add("--root");
        info.ArgumentList.Add(root);
        foreach (var arg in extraArgs)
            info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        var process = Process.Start(info)!;
        var daemon = new DaemonProcess(root, process, extraArgs.Contains("--system"));
        process.OutputDataReceived += (_, e) => daemon.Append(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"virtd exited with {_process.ExitCode}:\n{Output}");
            if (Output.Contains("ready on", StringComparison.Ordinal) && File.Exists(SocketPath))
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await probe.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
                    return;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"virtd did not become ready:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM: the daemon's orderly stop.</summary>
    public void Terminate() => Signal(15);

    /// <summary>kill -9: no cleanup at all, as in a crash.</summary>
    public void KillHard()
    {
        Signal(9);
        _process.WaitForExit(10_000);
    }

    private void Signal(int signal)
    {
        if (!_process.HasExited)
            _ = kill(_process.Id, signal);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int sig);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_process.HasExited)
        {
            Terminate();
            try { await WaitForExitAsync(TimeSpan.FromSeconds(15)); }
            catch (OperationCanceledException) { KillHard(); }
        }
        _process.Dispose();
    }
}
