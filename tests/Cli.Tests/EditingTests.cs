using Virt.Cli.Commands;
using Virt.Cli.Editing;
using Virt.TestSupport;

namespace Virt.Cli.Tests;

/// <summary>How edit starts the editor, names its file, and reads the answer to its question.</summary>
public sealed class EditingTests
{
    [Fact]
    public void Visual_wins_over_editor_which_wins_over_vi()
    {
        Assert.Equal("nano", EditorCommand.Editor(n => n switch { "VISUAL" => "nano", "EDITOR" => "ed", _ => null }));
        Assert.Equal("ed", EditorCommand.Editor(n => n switch { "VISUAL" => "", "EDITOR" => "ed", _ => null }));
        Assert.Equal("vi", EditorCommand.Editor(_ => null));
    }

    [Fact]
    public void A_plain_editor_runs_directly_and_one_with_arguments_through_the_shell_with_the_file_quoted()
    {
        Assert.Equal(new EditorCommand("/usr/bin/vim", ["/tmp/virtab.xml"]), EditorCommand.For("/usr/bin/vim", "/tmp/virtab.xml"), Same);
        var shell = EditorCommand.For("emacs -nw", "/tmp/my dir/it's.xml");
        Assert.Equal("/bin/sh", shell.Program);
        Assert.Equal("""/bin/sh -c 'emacs -nw '\''/tmp/a.xml'\'''""", EditorCommand.For("emacs -nw", "/tmp/a.xml").Shown);
        Assert.Equal(["-c", "emacs -nw '/tmp/my dir/it'\\''s.xml'"], shell.Arguments);
    }

    private static readonly EqualityComparer<EditorCommand> Same = EqualityComparer<EditorCommand>.Create(
        (a, b) => a!.Program == b!.Program && a.Arguments.SequenceEqual(b.Arguments), c => c.Program.GetHashCode());

    [Fact]
    public async Task The_temporary_file_is_private_holds_the_text_and_goes_when_disposed()
    {
        using var dir = new TempDirectory();
        string path;
        using (var file = await PrivateTempFile.CreateAsync(n => n == "TMPDIR" ? dir.Path : null, "<domain/>", default))
        {
            path = file.Path;
            Assert.Equal(dir.Path, Path.GetDirectoryName(path));
            Assert.EndsWith(".xml", path);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal("<domain/>", await File.ReadAllTextAsync(path));
        }
        Assert.False(File.Exists(path));
    }

    private static async Task<(ReeditAnswer Answer, string Output)> Ask(string keys)
    {
        var input = new StringReader(keys);
        var output = new StringWriter();
        var answer = await ReeditQuestion.AskAsync(EditCommand.Failed, output, input.Read);
        return (answer, output.ToString());
    }

    [Theory]
    [InlineData("y", nameof(ReeditAnswer.EditAgain))]
    [InlineData("N\n", nameof(ReeditAnswer.GiveUp))]
    [InlineData("\nf", nameof(ReeditAnswer.Force))]
    [InlineData("", nameof(ReeditAnswer.GiveUp))]
    [InlineData("i", nameof(ReeditAnswer.GiveUp))] // no validation to turn off: 'i' is asked again, then input ends
    public async Task Each_answer_means_what_virsh_means(string keys, string expected) => Assert.Equal(expected, (await Ask(keys)).Answer.ToString());

    [Fact]
    public async Task A_question_mark_prints_the_help_and_asks_again()
    {
        var (answer, output) = await Ask("?y");
        Assert.Equal(ReeditAnswer.EditAgain, answer);
        Assert.Equal("\rFailed. Try again? [y,n,f,?]: " + ReeditQuestion.Help + "\rFailed. Try again? [y,n,f,?]: \r\n", output);
        Assert.Contains("f - force, try to redefine again\n", ReeditQuestion.Help);
    }
}
