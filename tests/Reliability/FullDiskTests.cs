using System.Diagnostics;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.TestSupport;

namespace Virt.Reliability.Tests;

/// <summary>A config directory on a full filesystem (a 64 KiB tmpfs): define fails saying so, and the old config stays whole.</summary>
public sealed class FullDiskTests : IDisposable
{
    private readonly TempDirectory _dir = new("vf");

    [RootFact]
    public async Task Define_on_a_full_disk_fails_clearly_and_keeps_the_previous_config()
    {
        var configDir = _dir.Combine("root", "etc", "qemu");
        Directory.CreateDirectory(configDir);
        Run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", configDir);
        try
        {
            await using (var daemon = await DaemonProcess.StartAsync(_dir.Combine("root")))
            await using (var client = await VirtConnection.OpenAsync("qemu:///session", new VirtConnectionOptions { SocketPath = daemon.SocketPath }))
            {
                var uuid = Guid.NewGuid();
                await client.DefineAsync(TestGuest.Xml(_dir.Path, "keep", uuid));
                var configPath = Path.Combine(configDir, "keep.xml");
                var original = await File.ReadAllTextAsync(configPath);
                Fill(configDir);

                var bigger = TestGuest.Xml(_dir.Path, "keep", uuid).Replace("<vcpu>", $"<description>{new string('x', 16 * 1024)}</description>\n  <vcpu>", StringComparison.Ordinal);
                var error = await Assert.ThrowsAsync<VirtException>(() => client.DefineAsync(bigger));
                Assert.Contains("space", error.Message, StringComparison.OrdinalIgnoreCase);
                Assert.Equal(original, await File.ReadAllTextAsync(configPath));
                Assert.DoesNotContain("<description>", await client.GetXmlAsync(DomainRef.ByName("keep"), inactive: true));

                var fresh = await Assert.ThrowsAsync<VirtException>(() => client.DefineAsync(bigger.Replace("keep", "fresh", StringComparison.Ordinal).Replace(uuid.ToString(), Guid.NewGuid().ToString(), StringComparison.Ordinal)));
                Assert.Contains("space", fresh.Message, StringComparison.OrdinalIgnoreCase);
                Assert.Equal(["keep"], (await client.ListAsync()).Select(d => d.Name.Value));
                Assert.Equal(["fill.bin", "keep.xml"], Directory.GetFiles(configDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
            }
        }
        finally
        {
            Run("umount", configDir);
        }
    }

    [RootFact]
    public async Task A_start_whose_status_file_cannot_be_written_fails_and_leaves_no_qemu()
    {
        var runtimeDir = _dir.Combine("root", "run", "qemu");
        Directory.CreateDirectory(runtimeDir);
        Run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", runtimeDir);
        try
        {
            await using var daemon = await DaemonProcess.StartAsync(_dir.Combine("root"));
            await using var client = await VirtConnection.OpenAsync("qemu:///session", new VirtConnectionOptions { SocketPath = daemon.SocketPath });
            await client.DefineAsync(TestGuest.Xml(_dir.Path, "unrecorded"));
            await client.DefineAsync(TestGuest.Xml(_dir.Path, "paused"));
            var vm = DomainRef.ByName("paused");
            await client.StartAsync(vm);
            Fill(runtimeDir); // the monitor socket still fits (an inode, no blocks); the status file does not

            var error = await Assert.ThrowsAsync<VirtException>(() => client.StartAsync(DomainRef.ByName("unrecorded")));
            Assert.Contains("status file could not be written", error.Message);
            Assert.Contains("space", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("shut off (failed)", (await client.LookupAsync(DomainRef.ByName("unrecorded"))).StateText);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (QemuReaper.FindUnder(_dir.Path).Count > 1 && DateTime.UtcNow < deadline)
                await Task.Delay(20);
            Assert.Single(QemuReaper.FindUnder(_dir.Path)); // only the one started before the disk filled

            // The pause happens, as in libvirt, but the caller hears that it is not on disk.
            var suspend = await Assert.ThrowsAsync<VirtException>(() => client.SuspendAsync(vm));
            Assert.Contains("domain 'paused' is paused, but its status file could not be written", suspend.Message);
            Assert.Equal("paused (user)", (await client.LookupAsync(vm)).StateText);

            File.Delete(Path.Combine(runtimeDir, "fill.bin"));
            Assert.Equal("running (unpaused)", (await client.ResumeAsync(vm)).StateText);
            await client.DestroyAsync(vm);
            Assert.Empty(QemuReaper.FindUnder(_dir.Path));
        }
        finally
        {
            QemuReaper.KillAll(_dir.Path);
            Run("umount", runtimeDir);
        }
    }

    private static void Fill(string dir)
    {
        using var filler = new FileStream(Path.Combine(dir, "fill.bin"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        var block = new byte[1024];
        try
        {
            while (true)
            {
                filler.Write(block);
                filler.Flush();
            }
        }
        catch (IOException)
        {
        }
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {stderr}");
    }

    public void Dispose() => _dir.Dispose();
}
