using System.Diagnostics;
using System.Text.Json;
using Virt.Supervisor.Paths;
using Virt.Supervisor.Status;
using Virt.TestSupport;

namespace Virt.Cli.Tests;

/// <summary>
/// The real `virt` program against a real runtime and a real QEMU: the embedded one (qemu:///embed?root=DIR, chosen
/// through VIRT_DEFAULT_URI), so every command is its own process that opens the runtime, as a user's would.
/// </summary>
public sealed class EmbeddedRuntimeTests : IDisposable
{
    private readonly TempDirectory _root = new("vcli");
    private readonly string _name = "vm-cli-" + Guid.NewGuid().ToString("N")[..6];

    private string Uri => "qemu:///embed?root=" + _root.Path;

    private string WriteDomainXml()
    {
        var disk = _root.Combine("disk.img");
        using (var image = File.Create(disk))
            image.SetLength(1 << 20);
        var file = _root.Combine(_name + ".xml");
        File.WriteAllText(file, $"""
            <domain type='qemu'>
              <name>{_name}</name>
              <memory unit='MiB'>64</memory>
              <vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type></os>
              <devices>
                <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{disk}'/><target dev='hda' bus='ide'/></disk>
              </devices>
            </domain>
            """);
        return file;
    }

    private Task<TestCli.Result> Virt(params string[] args) =>
        VirtProcess.RunAsync(args, new Dictionary<string, string> { [ConnectionUri.EnvironmentVariable] = Uri });

    private async Task<TestCli.Result> Ok(params string[] args)
    {
        var result = await Virt(args);
        Assert.True(result.Exit == 0, $"virt {string.Join(' ', args)} exited {result.Exit}: {result.Err}");
        Assert.Equal("", result.Err);
        return result;
    }

    [Fact]
    public async Task A_domain_goes_through_define_start_destroy_undefine_as_virsh_shows_it()
    {
        var file = WriteDomainXml();
        try
        {
            Assert.Equal($"Domain '{_name}' defined from {file}\n\n", (await Ok("define", file)).Out);
            Assert.Contains($" -    {_name}   shut off\n", (await Ok("list", "--all")).Out);

            Assert.Equal($"Domain '{_name}' started\n\n", (await Ok("start", _name)).Out);
            var id = (await Ok("domid", _name)).Out.Trim();
            Assert.Matches("^[0-9]+$", id);
            // Quiet: no header, so the columns are as wide as this one row.
            Assert.Equal($" {id}   {_name}   running\n", (await Ok("-q", "list")).Out);
            Assert.Equal("running (booted)\n\n", (await Ok("domstate", "--reason", _name)).Out);

            using (var info = JsonDocument.Parse((await Ok("dominfo", _name, "--json")).Out))
            {
                Assert.Equal(int.Parse(id), info.RootElement.GetProperty("id").GetInt32());
                Assert.True(info.RootElement.GetProperty("persistent").GetBoolean());
                Assert.Equal(65536UL, info.RootElement.GetProperty("maxMemoryKiB").GetUInt64());
            }
            Assert.Contains($" hda      {_root.Combine("disk.img")}\n", (await Ok("domblklist", _name)).Out);


            var status = await Virt("qemu-monitor-command", _name, "--return-value", "{\"execute\":\"query-status\"}");
            Assert.Equal(0, status.Exit);
            using (var reply = JsonDocument.Parse(status.Out))
                Assert.Equal("running", reply.RootElement.GetProperty("status").GetString());

            Assert.Equal($"Domain '{_name}' destroyed\n\n", (await Ok("destroy", "--graceful", _name)).Out);
            Assert.Equal("shut off\n\n", (await Ok("domstate", _name)).Out);
            Assert.Equal($"Domain '{_name}' has been undefined\n\n", (await Ok("undefine", _name)).Out);

            var gone = await Virt("domstate", _name, "--json");
            Assert.Equal(1, gone.Exit);
            Assert.Contains(_name, Assert.Single(gone.ErrLines));
            using var error = JsonDocument.Parse(gone.Out);
            Assert.Equal("NO_DOMAIN", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        }
        finally
        {
            await Virt("destroy", _name);
            KillLeftoverQemu();
        }
    }

    /// <summary>If destroy failed, the QEMU the runtime started is ended here by the pid in its status file.</summary>
    private void KillLeftoverQemu()
    {
        foreach (var entry in new StatusFileStore(VirtPaths.Embed(_root.Path).RuntimeDir).List())
        {
            if (entry.Status is not { } status)
                continue;
            try
            {
                using var process = Process.GetProcessById(status.Pid);
                if (process.ProcessName.StartsWith("qemu", StringComparison.Ordinal))
                {
                    process.Kill();
                    process.WaitForExit(10_000);
                }
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    public void Dispose() => _root.Dispose();
}
