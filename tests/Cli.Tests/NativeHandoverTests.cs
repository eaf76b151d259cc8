using Virt.TestSupport;

namespace Virt.Cli.Tests;

/// <summary>
/// Which `virt` does the work: the native binary runs client verbs itself and execs its JIT companion for the verbs and
/// URIs that need the runtime in the process. A companion path that does not exist shows which one each command took.
/// </summary>
public sealed class NativeHandoverTests : IDisposable
{
    private readonly TempDirectory _dir = new("vnh");

    private Dictionary<string, string> NoCompanion => new() { ["VIRT_COMPANION"] = _dir.Combine("no-companion") };

    [Theory]
    [InlineData("run", "vm.xml")]
    [InlineData("domxml-to-native", "qemu-argv", "vm.xml")]
    [InlineData("-c", "qemu:///embed?root=/tmp/none", "list")]
    [InlineData("-c", "qemu+akka://127.0.0.1:1/", "list", "--all")]
    public async Task Verbs_and_uris_that_need_the_runtime_go_to_the_companion(params string[] args)
    {
        var result = await NativeVirt.RunAsync(args, NoCompanion);
        Assert.Equal(1, result.Exit);
        Assert.Equal($"error: cannot run the companion program {_dir.Combine("no-companion")}: No such file or directory\n", result.Err);
    }

    [Fact]
    public async Task Embedded_uris_from_the_environment_go_to_the_companion_too()
    {
        var result = await NativeVirt.RunAsync(["list"], new Dictionary<string, string>(NoCompanion)
        {
            [ConnectionUri.EnvironmentVariable] = "qemu:///embed?root=" + _dir.Path,
        });
        Assert.Equal(1, result.Exit);
        Assert.Contains("cannot run the companion program", result.Err);
    }

    [Fact]
    public async Task Client_verbs_run_in_the_native_binary()
    {
        var version = await NativeVirt.RunAsync(["version"], NoCompanion);
        Assert.Equal((0, ""), (version.Exit, version.Err));
        Assert.StartsWith("Compiled against library: virt ", version.Out);

        var socket = _dir.Combine("virt-sock");
        var list = await NativeVirt.RunAsync(["-c", $"qemu:///session?socket={socket}", "list"], NoCompanion);
        Assert.Equal(1, list.Exit);
        Assert.StartsWith($"error: cannot connect to the daemon at {socket}", list.Err);
    }

    [Fact]
    public async Task Domxml_from_native_and_the_test_guest_image_run_in_the_native_binary()
    {
        var args = _dir.Combine("vm.args");
        await File.WriteAllTextAsync(args, "qemu-system-x86_64 -name guest=native-vm -machine pc -accel tcg -m 64\n");
        var xml = await NativeVirt.RunAsync(["domxml-from-native", "qemu-argv", args], NoCompanion);
        Assert.True(xml.Exit == 0, xml.Err);
        Assert.Contains("<name>native-vm</name>", xml.Out);

        var image = _dir.Combine("guest.img");
        var written = await NativeVirt.RunAsync(["test-guest-image", image], NoCompanion);
        Assert.True(written.Exit == 0, written.Err);
        Assert.Equal(1 << 20, new FileInfo(image).Length);
    }

    [Fact]
    public async Task Usage_errors_are_reported_by_the_native_binary()
    {
        var result = await NativeVirt.RunAsync(["run"], NoCompanion);
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: ", result.Err);
        Assert.DoesNotContain("companion", result.Err);
    }

    public void Dispose() => _dir.Dispose();
}
