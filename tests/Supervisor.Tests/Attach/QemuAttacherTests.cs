using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Attach;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Attach;

/// <summary>Attaching to real processes: a paused QEMU with a QMP socket, and the processes that must be refused.</summary>
public sealed class QemuAttacherTests
{
    private static readonly string Qemu = StartedProcess.OnPath("qemu-system-x86_64");
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Attach_to_a_paused_qemu_gives_its_definition_state_and_a_working_monitor()
    {
        using var dir = new TempDirectory();
        var socket = dir.Combine("qmp.sock");
        var uuid = Guid.NewGuid();
        await using var qemu = StartedProcess.Start(Qemu,
            ["-qmp", $"unix:{socket},server=on,wait=off", "-S", "-display", "none", "-nodefaults", "-m", "64", "-name", "attachme", "-uuid", uuid.ToString()]);
        await qemu.WaitForFileAsync(socket, StartTimeout);

        var attached = await QemuAttacher.AttachAsync(qemu.Pid);
        await using var monitor = attached.Monitor;

        Assert.Equal("attachme", attached.Definition.Name);
        Assert.Equal(uuid, attached.Definition.Uuid);
        Assert.Equal(64UL * 1024, attached.Definition.MemoryKiB);
        Assert.Equal(DomainType.Qemu, attached.Definition.Type);
        Assert.Equal(Qemu, attached.Definition.Devices.Emulator);
        Assert.Equal(socket, attached.MonitorSocketPath);
        Assert.Equal("prelaunch", attached.Status); // QEMU's name for stopped by -S before the first run
        Assert.Equal(AttachedState.Paused, attached.State);
        Assert.False(attached.Running);
        Assert.False(attached.KvmEnabled);
        Assert.Equal([DomainTaints.ExternalLaunch], attached.Taints);
        Assert.Equal(ProcStat.ReadStartTime(qemu.Pid), attached.StartTime);
        Assert.Equal(Qemu, attached.Process.ExecutablePath);
        Assert.Equal("attachme", attached.Process.Argv[attached.Process.Argv.ToList().IndexOf("-name") + 1]);

        var name = await monitor.ExecuteAsync("query-name");
        Assert.Equal("attachme", name.GetProperty("name").GetString());
        await monitor.ExecuteAsync("cont");
        var status = await monitor.ExecuteAsync("query-status");
        Assert.Equal("running", status.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Attach_without_name_uses_qemu_pid_and_resolves_a_relative_monitor_path_in_the_process_directory()
    {
        using var dir = new TempDirectory();
        await using var qemu = StartedProcess.Start(Qemu,
            ["-qmp", "unix:q.sock,server=on,wait=off", "-S", "-display", "none", "-nodefaults", "-no-user-config", "-m", "size=32M", "-monitor", "none"],
            workingDirectory: dir.Path);
        await qemu.WaitForFileAsync(dir.Combine("q.sock"), StartTimeout);

        var attached = await QemuAttacher.AttachAsync(qemu.Pid);
        await using var monitor = attached.Monitor;

        Assert.Equal($"qemu-{qemu.Pid}", attached.Definition.Name);
        Assert.NotEqual(Guid.Empty, attached.Definition.Uuid);
        Assert.Equal(32UL * 1024, attached.Definition.MemoryKiB);
        Assert.Equal(dir.Combine("q.sock"), attached.MonitorSocketPath);
        // -monitor none is a human monitor option: kept as passthrough, so the domain is also tainted custom-argv.
        Assert.Equal(["-monitor", "none"], attached.Definition.QemuCommandLine);
        Assert.Equal([DomainTaints.ExternalLaunch, DomainTaints.CustomArgv], attached.Taints);
    }

    [Fact]
    public async Task A_process_that_is_not_qemu_is_refused()
    {
        await using var sleep = StartedProcess.Start(StartedProcess.OnPath("sleep"), ["60"]);

        var e = await Assert.ThrowsAsync<VirtException>(() => QemuAttacher.AttachAsync(sleep.Pid));

        Assert.Equal(ErrorCode.OperationInvalid, e.Code);
        Assert.Contains("not a QEMU emulator", e.Message);
        Assert.Contains("sleep", e.Message);
    }

    [Fact]
    public async Task A_qemu_without_qmp_is_refused_with_the_hint()
    {
        using var dir = new TempDirectory();
        // A human monitor socket shows when QEMU is up, and it is not QMP.
        var hmp = dir.Combine("hmp.sock");
        await using var qemu = StartedProcess.Start(Qemu,
            ["-monitor", $"unix:{hmp},server=on,wait=off", "-S", "-display", "none", "-nodefaults", "-m", "64"]);
        await qemu.WaitForFileAsync(hmp, StartTimeout);

        var e = await Assert.ThrowsAsync<VirtException>(() => QemuAttacher.AttachAsync(qemu.Pid));

        Assert.Equal(ErrorCode.OperationInvalid, e.Code);
        Assert.Contains("-qmp unix:/path/to/sock,server=on,wait=off", e.Message);
        Assert.Contains(qemu.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }

    [Fact]
    public async Task A_dead_pid_is_refused()
    {
        int pid;
        await using (var done = StartedProcess.Start(StartedProcess.OnPath("true"), []))
        {
            pid = done.Pid;
            await done.WaitForExitAsync(CancellationToken.None);
        }

        var e = await Assert.ThrowsAsync<VirtException>(() => QemuAttacher.AttachAsync(pid));

        Assert.Equal(ErrorCode.NoDomain, e.Code);
        Assert.Contains($"no process with pid {pid}", e.Message);
    }

    [Fact]
    public void Inspect_refuses_the_test_host_itself_and_a_pid_that_cannot_exist()
    {
        Assert.Equal(ErrorCode.OperationInvalid, Assert.Throws<VirtException>(() => ProcessInspector.Inspect(Environment.ProcessId)).Code);
        Assert.Equal(ErrorCode.OperationInvalid, Assert.Throws<VirtException>(() => ProcessInspector.Inspect(0)).Code);
    }

    [Fact]
    public async Task Inspect_returns_the_command_line_and_environment_of_qemu()
    {
        using var dir = new TempDirectory();
        var socket = dir.Combine("qmp.sock");
        await using var qemu = StartedProcess.Start(Qemu, ["-qmp", $"unix:{socket},server=on,wait=off", "-S", "-display", "none", "-nodefaults", "-name", "a,,b"]);
        await qemu.WaitForFileAsync(socket, StartTimeout);

        var inspected = ProcessInspector.Inspect(qemu.Pid);

        Assert.Equal(Qemu, inspected.ExecutablePath);
        Assert.Equal(["-qmp", $"unix:{socket},server=on,wait=off", "-S", "-display", "none", "-nodefaults", "-name", "a,,b"], inspected.Argv.Skip(1));
        Assert.Equal(Environment.GetEnvironmentVariable("PATH"), inspected.Environment["PATH"]);
        Assert.Equal("a,b", QemuArgvParser.Parse(inspected.Argv).Definition.Name);
    }

    [Fact]
    public void Start_time_is_field_22_even_when_the_command_name_has_spaces_and_parentheses()
    {
        var stat = "1234 (qemu (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 3 0 987654 1000000 500 18446744073709551615";
        Assert.Equal(987654UL, ProcStat.ParseStartTime(stat));
        Assert.Throws<VirtException>(() => ProcStat.ParseStartTime("1 (x) S 1"));
    }
}
