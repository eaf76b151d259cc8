using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Reliability.Tests;

/// <summary>
/// A second uid cannot use another user's session daemon: the private socket directory stops it, and with every
/// permission opened up the daemon's SO_PEERCRED check still refuses it. The probe runs as that uid (setpriv).
/// </summary>
public sealed class OtherUserAccessTests : IAsyncLifetime
{
    private const string User = "virtprobe";
    private readonly TempDirectory _dir = new("va");
    private DaemonProcess _daemon = null!;
    private bool _createdUser;

    // A minimal client: one domain.list call over the socket, then print what came back (or the connect error).
    private const string Probe = """
        import socket, struct, sys, json
        s = socket.socket(socket.AF_UNIX)
        try:
            s.connect(sys.argv[1])
        except OSError as e:
            print("CONNECT-FAILED", e.strerror); sys.exit(0)
        body = json.dumps({"version": 1, "type": "call", "serial": 1, "procedure": "domain.list", "body": {}}).encode()
        try:
            s.sendall(struct.pack(">I", len(body)) + body)
            head = s.recv(4)
            data = b""
            if len(head) == 4:
                n = struct.unpack(">I", head)[0]
                while len(data) < n:
                    chunk = s.recv(n - len(data))
                    if not chunk: break
                    data += chunk
            print("REPLY", data.decode())
        except OSError as e:
            print("IO-FAILED", e.strerror)
        """;

    public async Task InitializeAsync()
    {
        _daemon = await DaemonProcess.StartAsync(_dir.Combine("root"));
        if (Virt.Supervisor.Native.NativeFiles.GetEuid() == 0 && Run("id", "-u", User).Code != 0)
        {
            Assert.Equal(0, Run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", User).Code);
            _createdUser = true;
        }
    }

    [RootFact]
    public void The_private_socket_directory_keeps_another_uid_out()
    {
        var (_, output) = RunProbe();
        Assert.Contains("CONNECT-FAILED Permission denied", output);
    }

    [RootFact]
    public void With_permissions_opened_up_the_daemon_still_refuses_another_uid()
    {
        foreach (var dir in new[] { _dir.Path, _dir.Combine("root"), _dir.Combine("root", "run") })
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_daemon.SocketPath, (UnixFileMode)0b110_110_110);

        var (_, output) = RunProbe();

        Assert.Contains("REPLY", output);
        Assert.Contains("OPERATION_DENIED", output);
        Assert.Contains("may not connect", output);
        Assert.DoesNotContain("\"domains\"", output);
    }

    private (int Code, string Output) RunProbe()
    {
        var uid = Run("id", "-u", User).Output.Trim();
        var gid = Run("id", "-g", User).Output.Trim();
        return Run("setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", "/usr/bin/python3", "-c", Probe, _daemon.SocketPath);
    }

    private static (int Code, string Output) Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public async Task DisposeAsync()
    {
        await _daemon.DisposeAsync();
        if (_createdUser)
            Run("userdel", User);
        _dir.Dispose();
    }
}
