using Virt.Host.Embedded;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>`virt run`'s engine in-process: a private tree, one VM, waited for until it stops.</summary>
public sealed class EmbeddedRunTests : IDisposable
{
    private readonly TempDirectory _dir = new("ve");

    public void Dispose()
    {
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }

    private async Task<(Task<int> Run, StringWriter Output)> StartAsync(string name, CancellationToken ct, string? root = null)
    {
        var file = _dir.Combine(name + ".xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(_dir.Path, name), ct);
        var output = new StringWriter();
        var run = Task.Run(() => new EmbeddedRun(TextWriter.Synchronized(output), TextWriter.Synchronized(output), verbose: true)
            .RunAsync(file, root ?? _dir.Combine("root"), ct), ct);
        await TestGuest.WaitReadyAsync(_dir.Path, name);
        return (run, output);
    }

    [Fact]
    public async Task The_run_ends_with_exit_0_when_the_vm_stops()
    {
        var (run, output) = await StartAsync("runner", CancellationToken.None);
        var qemu = Assert.Single(QemuReaper.FindUnder(_dir.Path));
        System.Diagnostics.Process.GetProcessById(qemu).Kill(entireProcessTree: false);
        // SIGKILL is a crash: the run reports it as libvirt does (Stopped Failed) and fails.
        Assert.Equal(1, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("Stopped Failed", output.ToString());
        Assert.Contains("spawn + QMP ready + running", output.ToString());
    }

    [Fact]
    public async Task Stopping_the_run_destroys_the_vm_and_leaves_nothing_running()
    {
        using var stop = new CancellationTokenSource();
        var (run, output) = await StartAsync("stopped", stop.Token);
        Assert.Single(QemuReaper.FindUnder(_dir.Path));
        stop.Cancel();
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("destroying domain 'stopped'", output.ToString());
        Assert.Empty(QemuReaper.FindUnder(_dir.Path));
    }

    [Fact]
    public async Task A_bad_file_is_a_one_line_error()
    {
        var file = _dir.Combine("bad.xml");
        await File.WriteAllTextAsync(file, "<domain type='qemu'><name>x</name></domain>");
        var error = new StringWriter();
        Assert.Equal(1, await new EmbeddedRun(TextWriter.Null, error, verbose: false).RunAsync(file, null));
        Assert.StartsWith("error: ", error.ToString());
        Assert.Single(error.ToString().TrimEnd().Split('\n'));
    }
}
