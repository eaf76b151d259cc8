using Virt.Integration.Tests.Support;
using Virt.Supervisor.Processes;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// The native `virt run` started from a script never outlives its VM nor leaves it behind: every signal that ends it
/// destroys the VM and waits until QEMU is reaped, and a SIGKILL of virt takes QEMU with it.
/// </summary>
public sealed class VirtRunSignalTests : IDisposable
{
    private const int SigHup = 1, SigInt = 2, SigQuit = 3, SigKill = 9, SigTerm = 15;
    private readonly TempDirectory _dir = new("vr");

    public void Dispose()
    {
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }

    private async Task<string> WriteGuestAsync(string name)
    {
        var file = _dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(_dir.Path, name));
        return file;
    }

    [Theory]
    [InlineData(SigInt)]
    [InlineData(SigTerm)]
    [InlineData(SigHup)]
    [InlineData(SigQuit)]
    public async Task A_signal_destroys_the_vm_and_virt_exits_only_once_qemu_is_reaped(int signal)
    {
        var file = await WriteGuestAsync("sig" + signal);
        await using var run = VirtRunProcess.Start(file, _dir.Combine("root"));
        await run.WaitForOutputAsync("started");
        await TestGuest.WaitReadyAsync(_dir.Path, "sig" + signal);
        var qemu = Assert.Single(QemuReaper.FindUnder(_dir.Path));

        run.Signal(signal);
        Assert.Equal(0, await run.WaitForExitAsync());

        // Reaped before virt exited: no process, not even a zombie, is left under that pid.
        Assert.False(Directory.Exists($"/proc/{qemu}"), $"QEMU {qemu} was still there when virt run exited:\n{run.Output}");
        Assert.Contains("Stopped Destroyed", run.Output);
    }

    [Fact]
    public async Task Qemu_dies_with_a_virt_run_killed_by_sigkill_and_the_next_run_on_the_root_cleans_up_and_runs()
    {
        var file = await WriteGuestAsync("killed");
        var root = _dir.Combine("root");
        int qemu;
        await using (var first = VirtRunProcess.Start(file, root))
        {
            await first.WaitForOutputAsync("started");
            qemu = Assert.Single(QemuReaper.FindUnder(_dir.Path));
            first.Signal(SigKill);
            await first.WaitForExitAsync();
        }
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (ProcFs.IsAlive(qemu) && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Assert.False(ProcFs.IsAlive(qemu), $"QEMU {qemu} outlived its virt run by more than a second");

        await using var second = VirtRunProcess.Start(file, root);
        await second.WaitForOutputAsync("Domain 'killed' started");
        var next = Assert.Single(QemuReaper.FindUnder(_dir.Path));
        Assert.NotEqual(qemu, next);
        Assert.DoesNotContain("already running", second.Output);
        second.Signal(SigTerm);
        Assert.Equal(0, await second.WaitForExitAsync());
        Assert.Empty(QemuReaper.FindUnder(_dir.Path));
    }

    [Fact]
    public async Task With_leave_running_the_vm_outlives_virt_and_the_next_run_reconnects_to_it()
    {
        var file = await WriteGuestAsync("kept");
        var root = _dir.Combine("root");
        int qemu;
        await using (var first = VirtRunProcess.Start(file, root, "--leave-running"))
        {
            await first.WaitForOutputAsync("started");
            qemu = Assert.Single(QemuReaper.FindUnder(_dir.Path));
            first.Signal(SigKill);
            await first.WaitForExitAsync();
        }
        await Task.Delay(1500);
        Assert.True(ProcFs.IsAlive(qemu), "the VM was asked to outlive virt run but died with it");

        await using var second = VirtRunProcess.Start(file, root);
        await second.WaitForOutputAsync("already running");
        Assert.Equal([qemu], QemuReaper.FindUnder(_dir.Path));
        second.Signal(SigTerm);
        Assert.Equal(0, await second.WaitForExitAsync());
        Assert.False(ProcFs.IsAlive(qemu));
    }

    [Fact]
    public async Task Leave_running_without_a_root_is_refused()
    {
        var file = await WriteGuestAsync("noroot");
        var result = await NativeVirt.RunAsync(["run", file, "--leave-running"]);
        Assert.Equal(1, result.Exit);
        Assert.Contains("--leave-running needs --root", result.Err);
        Assert.Empty(QemuReaper.FindUnder(_dir.Path));
    }
}
