using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Virt.Protocol.Errors;
using Virt.Supervisor.Processes;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Processes;

[Collection(QemuCollection.Name)]
public sealed class QemuLaunchTests
{
    [Fact]
    public async Task Launch_returns_with_qmp_ready_in_its_own_session_and_logs_a_header()
    {
        using var dir = new TempDirectory();
        var spec = QemuFixtures.MinimalSpec(dir) with { Environment = new Dictionary<string, string> { ["VIRT_TEST_MARK"] = "a b" } };
        var qemu = await QemuProcess.LaunchAsync(spec);
        try
        {
            var status = await qemu.Qmp.ExecuteAsync("query-status");
            Assert.Equal("prelaunch", status.GetProperty("status").GetString());

            var stat = ProcFs.ReadStat(qemu.Pid);
            Assert.NotNull(stat);
            Assert.Equal(qemu.Pid, stat.Session);
            Assert.Equal(Environment.ProcessId, stat.ParentPid);
            Assert.Equal(stat.StartTime, qemu.StartTime);
            Assert.True(qemu.IsChild);
            Assert.Equal([QemuFixtures.Emulator, .. spec.Arguments], ProcFs.ReadCmdline(qemu.Pid));
            Assert.Contains("VIRT_TEST_MARK=a b", ProcFs.ReadEnviron(qemu.Pid));

            // stdin is /dev/null and stdout/stderr are the log file itself, not a pipe to us.
            Assert.Equal("/dev/null", new FileInfo($"/proc/{qemu.Pid}/fd/0").LinkTarget);
            Assert.Equal(spec.LogPath, new FileInfo($"/proc/{qemu.Pid}/fd/1").LinkTarget);
            Assert.Equal(spec.LogPath, new FileInfo($"/proc/{qemu.Pid}/fd/2").LinkTarget);

            var header = File.ReadLines(spec.LogPath).First();
            var colon = header.IndexOf(": ", StringComparison.Ordinal);
            var time = DateTimeOffset.Parse(header[..colon], CultureInfo.InvariantCulture);
            Assert.InRange(time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
            Assert.Equal($"'VIRT_TEST_MARK=a b' {QemuFixtures.Emulator} {string.Join(' ', spec.Arguments)}", header[(colon + 2)..]);
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    [Fact]
    public async Task Bad_option_fails_with_qemus_message_and_leaves_nothing()
    {
        using var dir = new TempDirectory();
        await AssertStartFailsAsync(QemuFixtures.MinimalSpec(dir, "-bogus-option"), "-bogus-option: invalid option");
    }

    [Fact]
    public async Task Missing_disk_fails_with_qemus_message_and_leaves_nothing()
    {
        using var dir = new TempDirectory();
        var disk = dir.Combine("absent.img");
        await AssertStartFailsAsync(
            QemuFixtures.MinimalSpec(dir, "-drive", $"file={disk},format=raw,if=none,id=d0"),
            $"Could not open '{disk}': No such file or directory");
    }

    [Fact]
    public async Task Vnc_port_in_use_fails_with_qemus_message_and_leaves_nothing()
    {
        using var dir = new TempDirectory();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        // -vnc takes a display number: port 5900 + N.
        Assert.InRange(port, 5900, 65535);
        await AssertStartFailsAsync(
            QemuFixtures.MinimalSpec(dir, "-vnc", $"127.0.0.1:{port - 5900}"),
            "Failed to find an available port: Address already in use");
    }

    [Fact]
    public async Task Qemu_exiting_before_the_socket_appears_is_reported_with_its_output()
    {
        using var dir = new TempDirectory();
        // -version prints and exits 0 before any chardev exists.
        var e = await AssertStartFailsAsync(QemuFixtures.MinimalSpec(dir, "-version"), "QEMU emulator version");
        Assert.Contains("exited with code 0", e.Message);
    }

    [Fact]
    public async Task Timeout_kills_the_process_and_reports_it()
    {
        using var dir = new TempDirectory();
        // QEMU is fine but its monitor goes elsewhere, so the expected socket never appears.
        var spec = QemuFixtures.MinimalSpec(dir) with
        {
            MonitorPath = dir.Combine("never.sock"),
            StartTimeout = TimeSpan.FromSeconds(1),
        };
        var e = await AssertStartFailsAsync(spec, expectedQemuText: null);
        Assert.Contains("not ready within 1 s", e.Message);
    }

    [Fact]
    public async Task Missing_emulator_binary_is_an_error_not_a_hang()
    {
        using var dir = new TempDirectory();
        var spec = QemuFixtures.MinimalSpec(dir) with { Emulator = dir.Combine("no-such-qemu") };
        var e = await Assert.ThrowsAsync<VirtException>(() => QemuProcess.LaunchAsync(spec));
        Assert.Equal(ErrorCode.OperationFailed, e.Code);
        Assert.Contains("No such file or directory", e.Message);
        Assert.Empty(QemuFixtures.OwnSessionZombieChildren());
    }

    [Fact]
    public async Task Only_this_runs_log_lines_are_quoted()
    {
        using var dir = new TempDirectory();
        var spec = QemuFixtures.MinimalSpec(dir, "-bogus-option");
        await File.WriteAllTextAsync(spec.LogPath, "qemu-system-x86_64: an error from an earlier run\n");
        var e = await AssertStartFailsAsync(spec, "-bogus-option: invalid option");
        Assert.DoesNotContain("earlier run", e.Message);
        Assert.Contains("earlier run", await File.ReadAllTextAsync(spec.LogPath));
    }

    private static async Task<VirtException> AssertStartFailsAsync(QemuLaunchSpec spec, string? expectedQemuText)
    {
        var e = await Assert.ThrowsAsync<VirtException>(() => QemuProcess.LaunchAsync(spec));
        try
        {
            Assert.Equal(ErrorCode.OperationFailed, e.Code);
            if (expectedQemuText is not null)
            {
                Assert.Contains(expectedQemuText, e.Message);
                Assert.Contains(expectedQemuText, await File.ReadAllTextAsync(spec.LogPath));
            }
            Assert.False(File.Exists(spec.MonitorPath), "the monitor socket file was left behind");
            Assert.Empty(QemuFixtures.ProcessesMentioning(Path.GetDirectoryName(spec.LogPath)!));
            Assert.Empty(QemuFixtures.OwnSessionZombieChildren());
            return e;
        }
        finally
        {
            // Belt and braces: whatever the assertions found, nothing of this test survives it.
            foreach (var pid in QemuFixtures.ProcessesMentioning(Path.GetDirectoryName(spec.LogPath)!))
                Native.LibC.Kill(pid, Native.LibC.SIGKILL);
        }
    }
}
