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
