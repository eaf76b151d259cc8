using System.Diagnostics;
using Virt.Supervisor.Processes;
using Virt.TestSupport;

namespace Virt.Cli.Tests;

/// <summary>A capabilities probe never outlives the program that probes, even one killed with SIGKILL mid-probe.</summary>
public sealed class ProbeOrphanTests : IDisposable
{
    private readonly TempDirectory _dir = new("vp");

    [Fact]
    public async Task The_probe_dies_with_a_virt_killed_while_probing()
    {
        // An "emulator" that never answers keeps the probe waiting; it is what QEMU would be at that moment.
        var emulator = _dir.Combine("silent-qemu");
        await File.WriteAllTextAsync(emulator, "#!/bin/sh\nexec sleep 600\n");
        File.SetUnixFileMode(emulator, (UnixFileMode)0b111_101_101);
        var xml = _dir.Combine("vm.xml");
        await File.WriteAllTextAsync(xml, $"""
            <domain type='qemu'><name>p</name><memory unit='MiB'>16</memory>
              <os><type arch='x86_64' machine='pc'>hvm</type></os><devices><emulator>{emulator}</emulator></devices></domain>
            """);
        var info = new ProcessStartInfo(NativeVirt.CompanionPath) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "domxml-to-native", "qemu-argv", xml })
            info.ArgumentList.Add(arg);
        using var virt = Process.Start(info)!;
        int? probe = null;
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (probe is null && DateTime.UtcNow < deadline && !virt.HasExited)
            {
                probe = ChildrenOf(virt.Id).Where(pid => ProcFs.ReadStat(pid)?.Command == "sleep").Select(pid => (int?)pid).FirstOrDefault();
                await Task.Delay(20);
            }
            Assert.NotNull(probe);
            virt.Kill();
            await virt.WaitForExitAsync();

            var gone = DateTime.UtcNow.AddSeconds(10);
            while (ProcFs.IsAlive(probe.Value) && DateTime.UtcNow < gone)
                await Task.Delay(20);
            Assert.False(ProcFs.IsAlive(probe.Value), $"probe {probe} outlived the virt that started it");
        }
        finally
        {
            if (!virt.HasExited)
                virt.Kill();
            if (probe is { } pid && ProcFs.IsAlive(pid))
                Process.GetProcessById(pid).Kill();
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && ProcFs.ReadStat(pid)?.ParentPid == parent);

    public void Dispose() => _dir.Dispose();
}
