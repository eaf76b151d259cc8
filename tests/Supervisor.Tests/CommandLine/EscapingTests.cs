using Virt.Protocol.Domains;
using Virt.Supervisor.CommandLine;

namespace Virt.Supervisor.Tests.CommandLine;

/// <summary>Values from the definition cannot add an option or a key: commas are doubled, JSON is JSON, argv is never a shell line.</summary>
public sealed class EscapingTests
{
    [Fact]
    public void A_comma_in_the_name_is_doubled_so_it_cannot_start_a_key()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal() with { Name = "a,debug-threads=off" });
        Assert.Equal(["guest=a,,debug-threads=off,debug-threads=on"], argv.ValuesOf("-name"));
    }

    [Fact]
    public void The_monitor_path_is_escaped_too()
    {
        var ctx = new QemuArgvContext("/run/x,server=off/mon.sock", "/run/x");
        var argv = QemuArgvBuilder.Build(ArgvFixtures.Minimal(), ArgvFixtures.Caps(), ctx).Arguments;
        Assert.Contains("socket,id=charmonitor,path=/run/x,,server=off/mon.sock,server=on,wait=off", argv.ValuesOf("-chardev"));
    }

    [Fact]
    public void A_disk_path_with_comma_equals_and_a_leading_dash_stays_one_json_string()
    {
        const string path = "-evil,file.driver=ssh=\"x\".img";
        var def = ArgvFixtures.Minimal().WithDevices(d => d with { Disks = [ArgvFixtures.FileDisk("vda", DiskBus.Virtio, path)] });
        var argv = ArgvFixtures.Build(def);

        var blockdev = System.Text.Json.Nodes.JsonNode.Parse(Assert.Single(argv.ValuesOf("-blockdev")))!;
        Assert.Equal(path, (string?)blockdev["filename"]);
        Assert.Equal("file", (string?)blockdev["driver"]);
        // The path never stands alone in argv where QEMU could read it as an option.
        Assert.DoesNotContain(argv, a => a.StartsWith("-evil", StringComparison.Ordinal));
    }

    [Fact]
    public void A_file_chardev_path_with_commas_is_escaped()
    {
        var def = ArgvFixtures.Minimal().WithDevices(d => d with
        {
            Serials = [new CharDevice { SourceType = CharDeviceSourceType.File, Path = "/tmp/a,mux=on.log", Append = true }],
        });
        Assert.Contains("file,id=charserial0,path=/tmp/a,,mux=on.log,append=on", ArgvFixtures.Build(def).ValuesOf("-chardev"));
    }

    [Fact]
    public void A_vnc_socket_path_goes_in_as_a_keyed_value()
    {
        var def = ArgvFixtures.Minimal().WithDevices(d => d with { Graphics = [new GraphicsDevice { Socket = "/r/a=b,to=9" }] });
        Assert.Equal(["vnc=unix:/r/a=b,,to=9,audiodev=audio1"], ArgvFixtures.Build(def).ValuesOf("-vnc"));
    }

    [Fact]
    public void A_cpu_model_with_a_comma_is_refused_because_cpu_has_no_escape()
    {
        var def = ArgvFixtures.Minimal() with { Cpu = new CpuConfig { Mode = "custom", Model = "qemu64,+vmx" } };
        var error = Assert.Throws<Virt.Protocol.Errors.VirtException>(() => ArgvFixtures.Build(def));
        Assert.Contains("qemu64,+vmx", error.Message);
    }

    [Fact]
    public void Passthrough_arguments_come_last_and_verbatim()
    {
        var argv = ArgvFixtures.Build(ArgvFixtures.Minimal() with { QemuCommandLine = ["-newarg", "a,b"] });
        Assert.Equal(["-newarg", "a,b"], argv.TakeLast(2));
    }

    [Theory]
    [InlineData("plain/path-1.2", "plain/path-1.2")]
    [InlineData("two words", "'two words'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("{\"driver\":\"x\"}", "'{\"driver\":\"x\"}'")]
    [InlineData("$(reboot)", "'$(reboot)'")]
    public void Shell_quoting_for_display(string word, string quoted) =>
        Assert.Equal(quoted, QemuCommandLine.ShellQuote(word));

    [Fact]
    public void ToShellString_quotes_each_word_and_starts_with_the_emulator()
    {
        var line = new QemuCommandLine("/usr/bin/qemu system", ["-name", "guest=a b"]);
        Assert.Equal("'/usr/bin/qemu system' -name 'guest=a b'", line.ToShellString());
    }
}
