using Virt.Protocol.Errors;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.Tests.Qmp;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.Capabilities;

/// <summary>The probe and its cache against the installed qemu-system-x86_64.</summary>
public sealed class CapabilitiesProbeTests
{
    [Fact]
    public async Task Probe_reports_version_machines_accelerators_and_kvm_of_the_real_binary()
    {
        var caps = await CapabilitiesProbe.ProbeAsync(QemuTestProcess.Binary);

        Assert.Equal(QemuTestProcess.Binary, caps.EmulatorPath);
        Assert.Equal(7, caps.Version.Major);
        Assert.Equal(2, caps.Version.Minor);
        Assert.False(string.IsNullOrEmpty(caps.Package));

        var pc = caps.FindMachine("pc");
        Assert.NotNull(pc);
        Assert.Equal("pc", pc.Alias);
        Assert.StartsWith("pc-i440fx-7.2", pc.Name);
        Assert.True(pc.IsDefault);
        Assert.Same(pc, caps.DefaultMachine);
        Assert.True(pc.MaxCpus > 1);
        var q35 = caps.FindMachine("q35");
        Assert.NotNull(q35);
        Assert.StartsWith("pc-q35-", q35.Name);
        Assert.False(q35.IsDefault);
        Assert.Single(caps.Machines, m => m.IsDefault);
        Assert.Contains(caps.Machines, m => m.Deprecated);

        Assert.Contains("tcg", caps.Accelerators);
        Assert.DoesNotContain("accel", caps.Accelerators);
        Assert.False(caps.KvmEnabled);
        Assert.True(caps.SupportsSandbox);
        Assert.Contains("query-status", caps.Commands);
        Assert.Contains("system_powerdown", caps.Commands);
        Assert.DoesNotContain("no-such-command", caps.Commands);
    }

    [Fact]
    public async Task Probe_of_a_missing_binary_names_the_path()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("qemu-nothing");
        var error = await Assert.ThrowsAsync<VirtException>(() => CapabilitiesProbe.ProbeAsync(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("does not exist", error.Message);
    }

    [Fact]
    public async Task Probe_of_a_binary_that_is_not_QEMU_says_so()
    {
        var truePath = QemuTestProcess.FindOnPath("true");
        var error = await Assert.ThrowsAsync<VirtException>(() => CapabilitiesProbe.ProbeAsync(truePath));
        Assert.Contains("not a usable QEMU emulator", error.Message);
        Assert.Contains(truePath, error.Message);
        Assert.Equal(ErrorCode.OperationFailed, error.Code);
    }

    [Fact]
    public async Task Probe_of_a_file_that_cannot_be_executed_says_so()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("not-executable");
        await File.WriteAllTextAsync(path, "just text");
        var error = await Assert.ThrowsAsync<VirtException>(() => CapabilitiesProbe.ProbeAsync(path));
        Assert.Contains("cannot start emulator", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public async Task Cache_probes_once_shares_concurrent_callers_and_probes_again_after_a_touch()
    {
        using var dir = new TempDirectory();
        var copy = CopyEmulator(dir);
        var probes = 0;
        var cache = new CapabilitiesCache((path, ct) =>
        {
            Interlocked.Increment(ref probes);
            return CapabilitiesProbe.ProbeAsync(path, ct);
        });

        var together = await Task.WhenAll(cache.GetAsync(copy), cache.GetAsync(copy), cache.GetAsync(copy));
        Assert.Equal(1, probes);
        Assert.Same(together[0], together[1]);
        Assert.Same(together[0], together[2]);
        Assert.Equal(7, together[0].Version.Major);

        var hit = await cache.GetAsync(copy);
        Assert.Equal(1, probes);
        Assert.Same(together[0], hit);

        File.SetLastWriteTimeUtc(copy, File.GetLastWriteTimeUtc(copy).AddMinutes(-5));
        var reprobed = await cache.GetAsync(copy);
        Assert.Equal(2, probes);
        Assert.NotSame(hit, reprobed);
        Assert.Equal(hit.Version, reprobed.Version);
    }

    /// <summary>A private copy of the binary, so the test may change its mtime. QEMU finds its modules
    /// (the TCG accelerator is one on Debian) relative to its own directory, so ../lib points at the real one.</summary>
    private static string CopyEmulator(TempDirectory dir)
    {
        var original = new FileInfo(QemuTestProcess.Binary);
        var prefix = original.Directory!.Parent!.FullName;
        Directory.CreateDirectory(dir.Combine("bin"));
        File.CreateSymbolicLink(dir.Combine("lib"), Path.Combine(prefix, "lib"));
        File.CreateSymbolicLink(dir.Combine("share"), Path.Combine(prefix, "share"));
        var copy = dir.Combine("bin", original.Name);
        original.CopyTo(copy);
        return copy;
    }

    [Fact]
    public async Task Cache_does_not_keep_a_failed_probe()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("fake-qemu");
        await File.WriteAllTextAsync(path, "#!/bin/sh\nexit 3\n");
        if (OperatingSystem.IsLinux())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var probes = 0;
        var cache = new CapabilitiesCache((p, ct) =>
        {
            Interlocked.Increment(ref probes);
            return CapabilitiesProbe.ProbeAsync(p, ct);
        });

        await Assert.ThrowsAsync<VirtException>(() => cache.GetAsync(path));
        await Assert.ThrowsAsync<VirtException>(() => cache.GetAsync(path));
        Assert.Equal(2, probes);
        var missing = await Assert.ThrowsAsync<VirtException>(() => cache.GetAsync(dir.Combine("absent")));
        Assert.Contains("does not exist", missing.Message);
    }
}
