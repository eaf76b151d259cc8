namespace Virt.Cli.Editing;

/// <summary>What the user answers when an edit could not be defined (virsh's vshAskReedit, without its 'i').</summary>
internal enum ReeditAnswer
{
    /// <summary>y: open the editor again on the same file.</summary>
    EditAgain,
    /// <summary>n, or the end of input: throw the changes away.</summary>
    GiveUp,
    /// <summary>f: try the same document again (after the cause was fixed elsewhere).</summary>
    Force,
}

/// <summary>
/// "Failed. Try again? [y,n,f,?]:" and its answers. Virt has no validation step apart from its parser, so virsh's
/// 'i' (define without validation) is not offered. A pipe may answer too; the end of input gives up.
/// </summary>
internal static class ReeditQuestion
{
    public const string Choices = "[y,n,f,?]";

    public static readonly string Help = string.Join("\n",
        "",
        "y - yes, start editor again",
        "n - no, throw away my changes",
        "f - force, try to redefine again",
        "? - print this help") + "\n";

    public static string Prompt(string message) => $"\r{message} Try again? {Choices}: ";

    public static async Task<ReeditAnswer> AskAsync(string message, TextWriter output, Func<int> readKey)
    {
        while (true)
        {
            await output.WriteAsync(Prompt(message));
            await output.FlushAsync();
            int key;
            do
                key = readKey();
            while (key is ' ' or '\n' or '\r' or '\t');
            ReeditAnswer? answer = char.ToLowerInvariant((char)key) switch
            {
                _ when key < 0 => ReeditAnswer.GiveUp,
                'y' => ReeditAnswer.EditAgain,
                'n' => ReeditAnswer.GiveUp,
                'f' => ReeditAnswer.Force,
                _ => null,
            };
            if (key == '?')
                await output.WriteAsync(Help);
            if (answer is { } chosen)
            {
                await output.WriteAsync("\r\n");
                return chosen;
            }
        }
    }
}
