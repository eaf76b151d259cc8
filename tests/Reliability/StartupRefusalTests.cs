using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Reliability.Tests;

/// <summary>virtd refuses a tree it cannot use safely: exit 1, a message saying why, and nothing of the user's changed.</summary>
public sealed class StartupRefusalTests : IDisposable
{
    private readonly TempDirectory _dir = new("vs");

    [Fact]
    public async Task A_config_dir_open_to_others_is_refused_and_left_as_it_was()
    {
        var configDir = _dir.Combine("root", "etc", "qemu");
        Directory.CreateDirectory(configDir);
        File.SetUnixFileMode(configDir, (UnixFileMode)0b111_111_111);
        await File.WriteAllTextAsync(Path.Combine(configDir, "mine.xml"), "<domain>user's own file</domain>");
        var before = Snapshot(configDir);

        await using var daemon = DaemonProcess.Launch(_dir.Combine("root"));
        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains($"directory {configDir} is writable by other users (owner uid {Geteuid()}, mode 0777)", daemon.Output);
        Assert.Equal(before, Snapshot(configDir));
        Assert.False(File.Exists(daemon.SocketPath), "no socket may be left behind");
    }

    [Fact]
    public async Task A_socket_path_too_long_is_refused_before_anything_is_created()
    {
        var root = _dir.Combine(new string('r', 120));
        await using var daemon = DaemonProcess.Launch(root);
        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("longer than 103 bytes", daemon.Output);
        Assert.False(Directory.Exists(root));
    }

    private static string Snapshot(string dir) => string.Join("\n",
        Directory.EnumerateFileSystemEntries(dir).Append(dir).Order(StringComparer.Ordinal)
            .Select(p => $"{p} {File.GetUnixFileMode(p)} {(File.Exists(p) ? File.ReadAllText(p) : "")}"));

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint Geteuid();

    public void Dispose() => _dir.Dispose();
}
