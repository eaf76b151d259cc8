using System.Xml.Linq;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;
using Virt.TestSupport;

namespace Virt.Integration.Tests;

/// <summary>
/// `virt edit` on the real daemon with scripted editors: the change is defined, an unchanged file changes nothing,
/// a refused one asks again (answered through a pipe), and the private temporary file never stays.
/// </summary>
public sealed class EditTests : DaemonTestBase
{
    private VirtCli Virt => new(Daemon.SocketPath, Dir.Path);

    private string TempDir => Dir.Combine("tmp");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(TempDir);
        await using var client = await ConnectAsync();
        await client.DefineAsync(TestGuest.Xml(Dir.Path, "ed"));
    }

    private Task<ClientProcess.Result> EditAsync(string editor, string answers = "", string domain = "ed") =>
        Virt.RunAsync(["edit", domain], new Dictionary<string, string> { ["EDITOR"] = editor, ["VISUAL"] = "", ["TMPDIR"] = TempDir }, answers);

    private static async Task WriteScriptAsync(string path, string text)
    {
        await File.WriteAllTextAsync(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    private async Task<string?> TitleAsync()
    {
        await using var client = await ConnectAsync();
        return (string?)XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName("ed"), inactive: true)).Root!.Element("title");
    }

    [Fact]
    public async Task An_editor_with_arguments_changes_the_config_through_the_shell()
    {
        var result = await EditAsync("sed -i 's|</name>|</name><title>edited</title>|'");
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal("Domain 'ed' XML configuration edited.\n\n", result.Out);
        Assert.Equal("", result.Err);
        Assert.Equal("edited", await TitleAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(TempDir));
    }

    [Fact]
    public async Task An_unchanged_file_changes_nothing_and_a_failing_editor_stops_the_edit()
    {
        var unchanged = await EditAsync("true");
        Assert.True(unchanged.Exit == 0, unchanged.ToString());
        Assert.Equal("Domain 'ed' XML configuration not changed.\n\n", unchanged.Out);

        var failing = await EditAsync("false");
        Assert.Equal(1, failing.Exit);
        Assert.Matches(@"^error: Child process \(false .*/tmp/virt\w{6}\.xml\) unexpected exit status 1\n$", failing.Err);
        Assert.Null(await TitleAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(TempDir));
    }

    [Fact]
    public async Task A_malformed_edit_asks_again_and_the_second_edit_is_defined()
    {
        // First run breaks the document, the second mends it; each records the mode of the file it was given.
        var script = Dir.Combine("editor.sh");
        await WriteScriptAsync(script, """
            #!/bin/sh
            stat -c %a "$1" >> "$0.modes"
            if [ -e "$0.once" ]; then
              sed -i 's|</domai>|</domain>|; s|</name>|</name><title>second</title>|' "$1"
            else
              touch "$0.once"
              sed -i 's|</domain>|</domai>|' "$1"
            fi
            """);

        var result = await EditAsync(script, answers: "y\n");
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal("\rFailed. Try again? [y,n,f,?]: \r\nDomain 'ed' XML configuration edited.\n\n", result.Out);
        var error = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", error);
        Assert.Contains("domai", error);
        Assert.Equal("600\n600\n", await File.ReadAllTextAsync(script + ".modes"));
        Assert.Equal("second", await TitleAsync());
        Assert.Empty(Directory.EnumerateFileSystemEntries(TempDir));
    }

    [Fact]
    public async Task A_config_changed_by_another_client_meanwhile_is_said_and_force_defines_this_edit()
    {
        await using var client = await ConnectAsync();
        var other = Dir.Combine("other.xml");
        await File.WriteAllTextAsync(other, (await client.GetXmlAsync(DomainRef.ByName("ed"), inactive: true))
            .Replace("</name>", "</name><title>other</title>", StringComparison.Ordinal));
        var script = Dir.Combine("racing-editor.sh");
        await WriteScriptAsync(script, """
            #!/bin/sh
            "$VIRT" -c "$VIRT_URI" define "$OTHER" > /dev/null || exit 9
            sed -i 's|</name>|</name><description>mine</description>|' "$1"
            """);

        var result = await Virt.RunAsync(["edit", "ed"], new Dictionary<string, string>
        {
            ["EDITOR"] = script,
            ["TMPDIR"] = TempDir,
            ["VIRT"] = NativeVirt.Path,
            ["VIRT_URI"] = Virt.Uri,
            ["OTHER"] = other,
        }, stdin: "f");
        Assert.True(result.Exit == 0, result.ToString());
        Assert.Equal("\rThe XML configuration was changed by another user. Try again? [y,n,f,?]: \r\nDomain 'ed' XML configuration edited.\n\n", result.Out);
        var config = XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName("ed"), inactive: true)).Root!;
        Assert.Equal("mine", (string?)config.Element("description"));
        Assert.Null(config.Element("title")); // forced: this edit, made on the older document, wins
    }

    [Fact]
    public async Task Giving_up_after_a_malformed_edit_keeps_the_config_and_exits_1()
    {
        await using var client = await ConnectAsync();
        var before = await client.GetXmlAsync(DomainRef.ByName("ed"), inactive: true);

        var result = await EditAsync("sed -i 's|</domain>|</domai>|'", answers: "?n");
        Assert.Equal(1, result.Exit);
        Assert.Contains("? - print this help\n", result.Out);
        Assert.EndsWith("Failed. Try again? [y,n,f,?]: \r\n\n", result.Out);
        Assert.StartsWith("error: ", result.Err);
        Assert.Equal(before, await client.GetXmlAsync(DomainRef.ByName("ed"), inactive: true));
        Assert.Empty(Directory.EnumerateFileSystemEntries(TempDir));
    }

    [Fact]
    public async Task An_unknown_domain_is_an_error_before_any_editor_runs()
    {
        var marker = Dir.Combine("editor-ran");
        var result = await EditAsync($"touch {marker}", domain: "nosuch");
        Assert.Equal(1, result.Exit);
        Assert.StartsWith("error: ", result.Err);
        Assert.Contains("'nosuch'", result.Err);
        Assert.False(File.Exists(marker));
        Assert.Empty(Directory.EnumerateFileSystemEntries(TempDir));
    }
}
