using System.Diagnostics;

namespace Virt.Cli.Editing;

/// <summary>
/// How virsh starts the user's editor on a file: $VISUAL, else $EDITOR, else vi. An editor of plain characters is run
/// directly; anything else (arguments, quotes, ~) goes through the shell as "EDITOR 'FILE'", so it splits as typed.
/// </summary>
internal sealed record EditorCommand(string Program, IReadOnlyList<string> Arguments)
{
    public const string DefaultEditor = "vi";

    // vsh.c's set: an editor made only of these needs no shell.
    private const string PlainCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-/_.:@";

    /// <summary>What a message shows for this command: a line a shell would run as it was run.</summary>
    public string Shown => string.Join(' ', Arguments.Prepend(Program).Select(a => IsPlain(a) ? a : ShellQuote(a)));

    private static bool IsPlain(string word) => word.Length > 0 && word.All(PlainCharacters.Contains);

    public static string Editor(Func<string, string?> environment) =>
        NonEmpty(environment("VISUAL")) ?? NonEmpty(environment("EDITOR")) ?? DefaultEditor;

    public static EditorCommand For(string editor, string file) =>
        IsPlain(editor)
            ? new EditorCommand(editor, [file])
            : new EditorCommand("/bin/sh", ["-c", $"{editor} {ShellQuote(file)}"]);

    /// <summary>One word for sh, whatever the name holds ($TMPDIR may have spaces or quotes).</summary>
    public static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Runs the editor on the terminal (stdin, stdout and stderr inherited); a failure to start or a non-zero exit throws.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var start = new ProcessStartInfo(Program) { UseShellExecute = false };
        foreach (var argument in Arguments)
            start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new EditorFailedException($"cannot run '{Shown}'");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new EditorFailedException($"cannot run '{Shown}': {e.Message}");
        }
        using (process)
        {
            try
            {
                await process.WaitForExitAsync(ct);
            }
            finally
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            if (process.ExitCode != 0)
                throw new EditorFailedException($"Child process ({Shown}) unexpected exit status {process.ExitCode}");
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>The editor could not be started or did not end well; the edit stops there, as virsh's does.</summary>
internal sealed class EditorFailedException(string message) : Exception(message);
