using System.Text.Json;
using System.Xml.Linq;
using Virt.Cli.Commands;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Attach;
using Virt.TestSupport;
using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Cli.Tests;

/// <summary>domxml-from-native, its shell-word reader, qemu-monitor-command and destroy --graceful.</summary>
public sealed class NativeCommandTests : IDisposable
{
    private readonly TestCli _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Shell_words_honour_quotes_escapes_continuations_and_leading_assignments()
    {
        var line = ShellWords.Parse("LC_ALL=C HOME=/home/test \\\n/usr/bin/qemu -name 'a b' -append \"x \\\"y\\\" \\\\z\" -vnc a\\ b ''\n");
        Assert.Equal(new Dictionary<string, string> { ["LC_ALL"] = "C", ["HOME"] = "/home/test" }, line.Environment);
        Assert.Equal(["/usr/bin/qemu", "-name", "a b", "-append", "x \"y\" \\z", "-vnc", "a b", ""], line.Argv);
    }

    [Theory]
    [InlineData("qemu -name 'open")]
    [InlineData("qemu -name \"open")]
    [InlineData("qemu -append $(id)")]
    [InlineData("qemu -m 64 | tee log")]
    [InlineData("qemu -name \"$HOME\"")]
    [InlineData("qemu \\")]
    public void Shell_syntax_that_needs_a_shell_is_refused(string text)
    {
        var error = Assert.Throws<VirtException>(() => ShellWords.Parse(text));
        Assert.StartsWith("cannot read the command line", error.Message);
    }

    public static TheoryData<string> Argv2XmlCases() =>
        ConformanceCorpus.Cases("argv2xml", ".args");

    [Theory]
    [MemberData(nameof(Argv2XmlCases))]
    public async Task Every_argv2xml_case_converts_to_xml_with_libvirt_name_and_uuid(string name)
    {
        var args = Path.Combine(ConformanceCorpus.Suite("argv2xml"), name + ".args");
        var result = await _cli.RunAsync("-q", "domxml-from-native", "qemu-argv", args);

        Assert.Equal(0, result.Exit);
        Assert.Equal("", result.Err);
        var ours = XDocument.Parse(result.Out).Root!;
        var libvirt = XDocument.Load(Path.Combine(ConformanceCorpus.Suite("argv2xml"), name + ".xml")).Root!;
        Assert.Equal((string?)libvirt.Element("name"), (string?)ours.Element("name"));
        Assert.Equal((string?)libvirt.Element("uuid"), (string?)ours.Element("uuid"));
        Assert.Empty(_cli.Connected);
    }

    [Fact]
    public void A_command_line_without_name_is_named_after_its_file()
    {
        var xml = XDocument.Parse(DomxmlFromNativeCommand.Convert("/usr/bin/qemu-system-x86_64 -m 64", "from-file")).Root!;
        Assert.Equal("from-file", (string?)xml.Element("name"));
        Assert.Equal("65536", (string?)xml.Element("memory"));
    }

    [Fact]
    public async Task An_empty_file_or_a_format_other_than_qemu_argv_fails()
    {
        var empty = Path.Combine(Path.GetDirectoryName(_cli.SocketPath)!, "empty.args");
        await File.WriteAllTextAsync(empty, "LC_ALL=C \\\n");
        var result = await _cli.RunAsync("domxml-from-native", "qemu-argv", empty);
        Assert.Equal(1, result.Exit);
        Assert.Equal("error: the file holds no command line", Assert.Single(result.ErrLines));

        Assert.Equal(1, (await _cli.RunAsync("domxml-from-native", "xen-xm", empty)).Exit);
    }

    [Fact]
    public void Destroy_graceful_sets_libvirt_graceful_flag()
    {
        Assert.Equal(new DestroyDomain(DomainRef.ByName("vm1")), LifecycleCommands.Request(_cli.Parse("destroy", "vm1")));
        Assert.Equal(new DestroyDomain(DomainRef.ByName("vm1"), DomainDestroyFlags.Graceful),
            LifecycleCommands.Request(_cli.Parse("destroy", "vm1", "--graceful")));
    }

    [Fact]
    public void A_monitor_command_is_sent_as_written_and_several_words_are_joined()
    {
        Assert.Equal(new QemuMonitorCommand(DomainRef.ById(2), "{\"execute\":\"query-status\"}"),
            QemuMonitorVerb.Request(_cli.Parse("qemu-monitor-command", "2", "{\"execute\":\"query-status\"}")));
        Assert.Equal("{\"execute\": \"stop\"}",
            QemuMonitorVerb.Request(_cli.Parse("qemu-monitor-command", "vm1", "{\"execute\":", "\"stop\"}")).Json);
    }

    [Theory]
    [InlineData("info status")]
    [InlineData("[1,2]")]
    [InlineData("{\"arguments\":{}}")]
    public async Task A_monitor_command_that_is_not_qmp_is_refused_before_connecting(string json)
    {
        var result = await _cli.RunAsync("qemu-monitor-command", "vm1", json);
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: the monitor command", Assert.Single(result.ErrLines));
        Assert.Empty(_cli.Connected);
    }

    [Fact]
    public void A_monitor_reply_prints_compact_pretty_or_only_its_return_value()
    {
        const string reply = "{\"return\": {\"status\": \"running\", \"running\": true}}";
        Assert.Equal("{\"return\":{\"status\":\"running\",\"running\":true}}\n", QemuMonitorVerb.Format(reply, pretty: false, returnValue: false));
        Assert.Equal("{\"status\":\"running\",\"running\":true}\n", QemuMonitorVerb.Format(reply, pretty: false, returnValue: true));
        var pretty = QemuMonitorVerb.Format(reply, pretty: true, returnValue: false);
        Assert.Contains("\n  \"return\": {\n", pretty);
        using var doc = JsonDocument.Parse(pretty);
        Assert.True(doc.RootElement.GetProperty("return").GetProperty("running").GetBoolean());

        var error = Assert.Throws<VirtException>(() => QemuMonitorVerb.Format("{\"error\":{\"class\":\"GenericError\"}}", false, true));
        Assert.Contains("no \"return\"", error.Message);
    }

    [Fact]
    public async Task Run_of_a_missing_file_is_one_error_line_and_exit_1_without_a_runtime()
    {
        var root = Path.Combine(Path.GetDirectoryName(_cli.SocketPath)!, "run-root");
        var result = await _cli.RunAsync("run", Path.Combine(root, "absent.xml"), "--root", root);
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: ", Assert.Single(result.ErrLines));
        Assert.False(Directory.Exists(root));
    }
}
