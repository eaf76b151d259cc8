using System.Diagnostics;
using Virt.Supervisor.Capabilities;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>The installed qemu-system-x86_64 and qemu-img, for tests that run the real thing.</summary>
internal static class HostQemu
{
    public const string Emulator = "/usr/bin/qemu-system-x86_64";

    private static readonly Lazy<QemuCapabilities> LazyCaps = new(() => CapabilitiesProbe.ProbeAsync(Emulator).GetAwaiter().GetResult());

    /// <summary>The emulator's capabilities from the real QMP probe, probed once per test run.</summary>
    public static QemuCapabilities Caps => LazyCaps.Value;

    public static void CreateImage(string path, string format, string size = "1M")
    {
        var start = new ProcessStartInfo("qemu-img") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "create", "-q", "-f", format, path, size })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"qemu-img create {path} failed: {error}");
    }
}
