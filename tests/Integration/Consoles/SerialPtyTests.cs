using System.Text.Json.Nodes;
using System.Xml.Linq;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.Supervisor.TestGuest;

namespace Virt.Integration.Tests.Consoles;

/// <summary>A pty serial port on the real QEMU: its path in the live XML (across a daemon restart) and its log file.</summary>
public sealed class SerialPtyTests : DaemonTestBase
{
    [Fact]
    public async Task The_live_xml_names_qemus_pty_for_the_serial_and_its_console_and_keeps_it_across_a_daemon_restart()
    {
        await using var client = await ConnectAsync();
        await client.DefineAsync(TestGuest.Xml(Dir.Path, "pty", serial: TestGuest.PtySerial()));
        await client.StartAsync(DomainRef.ByName("pty"));

        var devices = XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName("pty"))).Descendants("devices").Single();
        var serial = devices.Element("serial")!;
        var pty = (string)serial.Element("source")!.Attribute("path")!;
        Assert.Matches("^/dev/pts/[0-9]+$", pty);
        Assert.True(File.Exists(pty), $"{pty} is not there");
        Assert.Equal("serial0", (string?)serial.Element("alias")?.Attribute("name"));
        var console = devices.Element("console")!;
        Assert.Equal((pty, pty, "serial", "serial0"), ((string?)console.Attribute("tty"), (string?)console.Element("source")?.Attribute("path"),
            (string?)console.Element("target")?.Attribute("type"), (string?)console.Element("alias")?.Attribute("name")));
        var inactive = XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName("pty"), inactive: true)).Descendants("console").Single();
        Assert.Equal("<console type=\"pty\"><target type=\"serial\" port=\"0\" /></console>", inactive.ToString(SaveOptions.DisableFormatting));

        await RestartDaemonAsync(hard: true);
        await using var again = await ConnectAsync();
        var after = XDocument.Parse(await again.GetXmlAsync(DomainRef.ByName("pty"))).Descendants("serial").Single();
        Assert.Equal(pty, (string?)after.Element("source")?.Attribute("path"));
        await again.DestroyAsync(DomainRef.ByName("pty"));
    }

    [Fact]
    public async Task A_status_file_without_the_pty_path_gets_it_from_qemu_when_the_daemon_reconnects()
    {
        await using (var client = await ConnectAsync())
        {
            await client.DefineAsync(TestGuest.Xml(Dir.Path, "old", serial: TestGuest.PtySerial()));
            await client.StartAsync(DomainRef.ByName("old"));
        }
        var pty = await PtyOfAsync("old");

        // As an earlier Virt wrote it: no alias, no path, no tty in the live XML.
        await Daemon.DisposeAsync();
        var file = Directory.GetFiles(Path.Combine(Daemon.Root, "run", "qemu"), "*.status.json").Single();
        var status = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        var live = XDocument.Parse((string)status["domainXml"]!);
        live.Descendants("alias").Remove();
        live.Descendants().Where(e => e.Name == "serial" || e.Name == "console").Elements("source").Remove();
        live.Descendants("console").Attributes("tty").Remove();
        status["domainXml"] = live.ToString();
        await File.WriteAllTextAsync(file, status.ToJsonString());

        Daemon = await DaemonProcess.StartAsync(Dir.Combine("root"));
        Assert.Equal(pty, await PtyOfAsync("old"));
        await using var again = await ConnectAsync();
        await again.DestroyAsync(DomainRef.ByName("old"));
    }

    private async Task<string> PtyOfAsync(string name)
    {
        await using var client = await ConnectAsync();
        var serial = XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName(name))).Descendants("serial").Single();
        Assert.Equal("serial0", (string?)serial.Element("alias")?.Attribute("name"));
        return (string?)serial.Element("source")?.Attribute("path") ?? throw new InvalidOperationException("the live serial has no pty path");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_serial_log_holds_the_guests_output_appended_or_truncated_at_start(bool append)
    {
        var log = Dir.Combine("guest-serial.log");
        await File.WriteAllTextAsync(log, "FROM AN EARLIER RUN\n");
        await using var client = await ConnectAsync();
        await client.DefineAsync(TestGuest.Xml(Dir.Path, "logged", serial: TestGuest.PtySerial(log, append)));
        await client.StartAsync(DomainRef.ByName("logged"));

        await TestGuest.WaitReadyInAsync(log, "logged");
        var text = await File.ReadAllTextAsync(log);
        Assert.Equal(append, text.StartsWith("FROM AN EARLIER RUN\n", StringComparison.Ordinal));
        Assert.Contains(TestGuestImage.ReadyLine + "\r\n", text);
        var live = XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName("logged"))).Descendants("serial").Single().Element("log")!;
        Assert.Equal((log, append ? "on" : "off"), ((string?)live.Attribute("file"), (string?)live.Attribute("append")));
        await client.DestroyAsync(DomainRef.ByName("logged"));
    }

    [Fact]
    public async Task A_serial_log_inside_the_daemons_tree_is_refused()
    {
        var log = Path.Combine(Daemon.Root, "log", "qemu", "other.log");
        await using var client = await ConnectAsync();
        var refused = await Assert.ThrowsAnyAsync<Virt.Protocol.Errors.VirtException>(() =>
            client.DefineAsync(TestGuest.Xml(Dir.Path, "sneaky", serial: TestGuest.PtySerial(log))));
        Assert.Contains($"<serial> log path '{log}' is inside the daemon's own directories", refused.Message);
    }
}
