using System.Diagnostics;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Qmp;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Processes;

[Collection(QemuCollection.Name)]
public sealed class QemuKillTests
{
    private const int SIGSTOP = 19;

    [Fact]
    public async Task Kill_with_sigterm_ends_qemu_cleanly_and_reaps_it()
    {
        using var dir = new TempDirectory();
        var spec = QemuFixtures.MinimalSpec(dir);
        var qemu = await QemuProcess.LaunchAsync(spec);
        try
        {
            Assert.True(await qemu.KillAsync(TimeSpan.FromSeconds(20)));
            // QEMU handles SIGTERM itself: it says so in the log and exits with 0.
            Assert.Equal(new ProcessExit(0, null, true), await qemu.Exited);
            Assert.Contains("terminating on signal 15", await File.ReadAllTextAsync(spec.LogPath));
            AssertReaped(qemu);
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    [Fact]
    public async Task Kill_of_a_stopped_qemu_falls_back_to_sigkill()
    {
        using var dir = new TempDirectory();
        var qemu = await QemuProcess.LaunchAsync(QemuFixtures.MinimalSpec(dir));
        try
        {
            Assert.True(qemu.SendSignal(SIGSTOP));
            Assert.True(await qemu.KillAsync(TimeSpan.FromMilliseconds(200)));
            Assert.Equal(new ProcessExit(null, LibC.SIGKILL, true), await qemu.Exited);
            AssertReaped(qemu);
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    [Fact]
    public async Task Graceful_kill_never_sends_sigkill()
    {
        using var dir = new TempDirectory();
        var qemu = await QemuProcess.LaunchAsync(QemuFixtures.MinimalSpec(dir));
        try
        {
            Assert.True(qemu.SendSignal(SIGSTOP));
            Assert.False(await qemu.KillAsync(TimeSpan.FromMilliseconds(200), graceful: true));
            Assert.False(qemu.Exited.IsCompleted);
            Assert.True(ProcFs.IsAlive(qemu.Pid));

            // Once it can run again it takes the pending SIGTERM and exits by itself.
            Assert.True(qemu.SendSignal(LibC.SIGCONT));
            Assert.True(await qemu.KillAsync(TimeSpan.FromSeconds(20), graceful: true));
            Assert.Equal(new ProcessExit(0, null, true), await qemu.Exited);
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    [Fact]
    public async Task Kill_works_while_a_qmp_command_is_in_flight()
    {
        using var dir = new TempDirectory();
        var qemu = await QemuProcess.LaunchAsync(QemuFixtures.MinimalSpec(dir));
        try
        {
            // A stopped QEMU cannot answer, so the command stays in flight until the kill.
            Assert.True(qemu.SendSignal(SIGSTOP));
            var inFlight = qemu.Qmp.ExecuteAsync("query-status", timeout: TimeSpan.FromMinutes(5));
            Assert.True(await qemu.KillAsync(TimeSpan.FromMilliseconds(100)));
            Assert.Equal(LibC.SIGKILL, (await qemu.Exited).Signal);
            await Assert.ThrowsAsync<QmpConnectionException>(() => inFlight);
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    [Fact]
    public async Task A_childs_exit_status_is_known()
    {
        using var dir = new TempDirectory();
        var qemu = await QemuProcess.LaunchAsync(QemuFixtures.MinimalSpec(dir));
        try
        {
            await qemu.Qmp.ExecuteAsync("quit");
            Assert.Equal(new ProcessExit(0, null, true), await qemu.Exited);
            Assert.True(await qemu.KillAsync());
            AssertReaped(qemu);
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    [Fact]
    public async Task Exit_of_an_adopted_non_child_is_observed_without_status()
    {
        using var dir = new TempDirectory();
        var monitor = dir.Combine("mon.sock");
        using var process = StartUnmanagedQemu(monitor);
        try
        {
            await WaitForSocketAsync(monitor, process);
            var startTime = ProcFs.ReadStartTime(process.Id)!.Value;
            var qemu = await QemuProcess.AdoptAsync(process.Id, startTime, monitor);
            try
            {
                Assert.False(qemu.IsChild);
                Assert.Equal(process.Id, qemu.Pid);
                Assert.Equal(startTime, qemu.StartTime);
                var status = await qemu.Qmp.ExecuteAsync("query-status");
                Assert.Equal("prelaunch", status.GetProperty("status").GetString());

                await qemu.Qmp.ExecuteAsync("quit");
                Assert.Equal(new ProcessExit(null, null, false), await qemu.Exited);
                // We did not reap it: its real parent still gets the status.
                await process.WaitForExitAsync();
                Assert.Equal(0, process.ExitCode);
            }
            finally
            {
                await qemu.DisposeAsync();
            }
        }
        finally
        {
            if (!process.HasExited)
                process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Adopt_refuses_a_pid_whose_start_time_differs()
    {
        using var dir = new TempDirectory();
        var monitor = dir.Combine("mon.sock");
        using var process = StartUnmanagedQemu(monitor);
        try
        {
            await WaitForSocketAsync(monitor, process);
            var startTime = ProcFs.ReadStartTime(process.Id)!.Value;
            var e = await Assert.ThrowsAsync<VirtException>(() => QemuProcess.AdoptAsync(process.Id, startTime + 1, monitor));
            Assert.Equal(ErrorCode.OperationFailed, e.Code);
            Assert.Contains("reused", e.Message);
            Assert.True(ProcFs.IsAlive(process.Id), "a refused adopt must not touch the process");
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Adopt_of_a_gone_pid_is_an_error()
    {
        using var dir = new TempDirectory();
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        await process.WaitForExitAsync();
        var e = await Assert.ThrowsAsync<VirtException>(() => QemuProcess.AdoptAsync(process.Id, 1, dir.Combine("mon.sock")));
        Assert.Equal(ErrorCode.OperationFailed, e.Code);
        Assert.Contains("not running", e.Message);
    }

    [Fact]
    public async Task No_zombie_is_left_after_exit()
    {
        using var dir = new TempDirectory();
        var qemu = await QemuProcess.LaunchAsync(QemuFixtures.MinimalSpec(dir));
        try
        {
            Assert.True(qemu.SendSignal(LibC.SIGKILL));
            Assert.Equal(LibC.SIGKILL, (await qemu.Exited).Signal);
            AssertReaped(qemu);
            Assert.Empty(QemuFixtures.OwnSessionZombieChildren());
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    /// <summary>Gone from /proc, or the pid already belongs to a newer process.</summary>
    private static void AssertReaped(QemuProcess qemu)
    {
        var stat = ProcFs.ReadStat(qemu.Pid);
        Assert.True(stat is null || stat.StartTime != qemu.StartTime, $"process {qemu.Pid} is still in /proc, state {stat?.State}");
    }

    private static Process StartUnmanagedQemu(string monitor)
    {
        var info = new ProcessStartInfo(QemuFixtures.Emulator) { UseShellExecute = false };
        foreach (var arg in QemuFixtures.MinimalArgs(monitor))
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }

    /// <summary>QEMU gives no signal when its socket is bound; poll for the file, bounded.</summary>
    private static async Task WaitForSocketAsync(string path, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(path))
        {
            Assert.False(process.HasExited, "QEMU exited before creating its socket");
            Assert.True(DateTime.UtcNow < deadline, "QEMU did not create its socket in 20 s");
            await Task.Delay(10);
        }
    }
}
