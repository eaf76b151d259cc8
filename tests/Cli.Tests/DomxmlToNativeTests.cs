using Virt.TestSupport;

namespace Virt.Cli.Tests;

/// <summary>`virt domxml-to-native qemu-argv FILE`, run in-process with its output captured.</summary>
public sealed class DomxmlToNativeTests
{
    private static string Case(string name) => Path.Combine(ConformanceCorpus.Suite("xml2argv"), name + ".xml");

    private static async Task<(int Exit, string[] Out, string[] Err)> RunAsync(params string[] args)
    {
        using var cli = new TestCli();
        var result = await cli.RunAsync(args);
        static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (result.Exit, Lines(result.Out), Lines(result.Err));
    }

    [Fact]
    public async Task A_conformance_file_prints_the_emulator_then_one_quoted_argument_a_line()
    {
        var (exit, output, error) = await RunAsync("domxml-to-native", "qemu-argv", Case("disk-sata-device"));

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Equal("/usr/bin/qemu-system-x86_64", output[0]);
        Assert.Contains("-S", output);
        Assert.Contains("-nodefaults", output);
        Assert.Equal("guest=QEMUGuest1,debug-threads=on", output[Array.IndexOf(output, "-name") + 1]);
        // The JSON device arguments are single-quoted, and the disk path with a space survives inside them.
        Assert.Contains(output, l => l.StartsWith("'{\"driver\":\"host_device\",\"filename\":\"/dev/HostVG/QEMUG uest1\"", StringComparison.Ordinal));
        Assert.Contains(output, l => l.StartsWith("'{\"driver\":\"ide-hd\",\"bus\":\"sata0.0\"", StringComparison.Ordinal));
        var monitor = output[Array.IndexOf(output, "-chardev") + 1];
        Assert.Matches("^socket,id=charmonitor,path=/.+/monitor.sock,server=on,wait=off$", monitor);
    }

    [Fact]
    public async Task A_malformed_file_is_one_error_line_and_exit_1()
    {
        var (exit, output, error) = await RunAsync("domxml-to-native", "qemu-argv", Case("broken-xml-invalid"));
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.StartsWith("error: XML error", Assert.Single(error));
    }

    [Fact]
    public async Task A_configuration_qemu_cannot_run_is_one_error_line_and_exit_1()
    {
        var (exit, output, error) = await RunAsync("domxml-to-native", "qemu-argv", Case("missing-machine"));
        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("alpha", Assert.Single(error));
    }

    [Fact]
    public async Task A_missing_file_is_one_error_line_and_exit_1()
    {
        using var dir = new TempDirectory();
        var (exit, _, error) = await RunAsync("domxml-to-native", "qemu-argv", dir.Combine("absent.xml"));
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", Assert.Single(error));
    }

    [Fact]
    public async Task A_format_other_than_qemu_argv_is_a_usage_error()
    {
        var (exit, output, _) = await RunAsync("domxml-to-native", "xen-xm", Case("clock-utc"));
        Assert.NotEqual(0, exit);
        Assert.DoesNotContain("-nodefaults", output); // no argv was built
    }
}
