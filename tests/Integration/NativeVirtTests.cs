using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>The native `virt` users run, against the real daemon and QEMU; and `virt run` through its JIT companion.</summary>
public sealed class NativeVirtTests : DaemonTestBase
{
    private string Uri => $"qemu:///session?socket={Daemon.SocketPath}";

    /// <summary>No companion: every client verb must work in the native binary alone.</summary>
    private Dictionary<string, string> NoCompanion => new() { ["VIRT_COMPANION"] = Dir.Combine("no-companion") };

    private async Task<NativeVirt.Result> Ok(params string[] args)
    {
        var result = await NativeVirt.RunAsync(["-c", Uri, .. args], NoCompanion);
        Assert.True(result.Exit == 0, $"virt {string.Join(' ', args)} exited {result.Exit}: {result.Err}");
        Assert.Equal("", result.Err);
        return result;
    }

    [Fact]
    public async Task Client_verbs_drive_a_domain_through_the_daemon()
    {
        var file = Dir.Combine("nv.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, "nv"));

        Assert.Equal($"Domain 'nv' defined from {file}\n\n", (await Ok("define", file)).Out);
        Assert.Equal("Domain 'nv' started\n\n", (await Ok("start", "nv")).Out);
        Assert.Equal("running (booted)\n\n", (await Ok("domstate", "--reason", "nv")).Out);
        Assert.Matches(@"^ [0-9]+   nv   running\n$", (await Ok("-q", "list")).Out);
        Assert.Contains("<name>nv</name>", (await Ok("dumpxml", "nv")).Out);
        Assert.Contains($" hda      {Dir.Combine("nv.img")}\n", (await Ok("domblklist", "nv")).Out);
        Assert.Equal("Domain 'nv' destroyed\n\n", (await Ok("destroy", "nv")).Out);
        Assert.Equal("shut off (destroyed)\n\n", (await Ok("domstate", "--reason", "nv")).Out);
        Assert.Equal("Domain 'nv' has been undefined\n\n", (await Ok("undefine", "nv")).Out);
        Assert.Empty(QemuReaper.FindUnder(Dir.Path));

        var gone = await NativeVirt.RunAsync(["-c", Uri, "--json", "domstate", "nv"], NoCompanion);
        Assert.Equal(1, gone.Exit);
        Assert.Contains("\"NO_DOMAIN\"", gone.Out);
    }

    [Fact]
    public async Task Virt_run_goes_through_the_companion_in_the_same_process_and_stops_on_sigterm()
    {
        var file = Dir.Combine("runner.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, "runner"));
        var start = new ProcessStartInfo(NativeVirt.Path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "run", file, "--root", Dir.Combine("embed") })
            start.ArgumentList.Add(arg);
        using var run = Process.Start(start)!;
        try
        {
            var output = run.StandardOutput.ReadToEndAsync();
            var error = run.StandardError.ReadToEndAsync();
            await TestGuest.WaitReadyAsync(Dir.Path, "runner");
            Assert.Single(QemuReaper.FindUnder(Dir.Path));

            // execve kept the pid: the signal reaches the runtime the companion hosts, which destroys the VM.
            using (var kill = Process.Start("kill", ["-TERM", run.Id.ToString()]))
                await kill.WaitForExitAsync();
            await run.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(run.ExitCode == 0, $"virt run exited {run.ExitCode}: {await error}");
            Assert.Contains("destroying domain 'runner'", await output + await error);
            Assert.Empty(QemuReaper.FindUnder(Dir.Path));
        }
        finally
        {
            if (!run.HasExited)
            {
                run.Kill(entireProcessTree: true);
                await run.WaitForExitAsync();
            }
        }
    }
}
