namespace Virt.Cli;

/// <summary>Runs a command body and turns any failure into one "error: ..." line on stderr and its exit code.</summary>
internal static class CommandErrors
{
    public static async Task<int> RunAsync(TextWriter stderr, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("error: interrupted");
            return ExitCodes.OperationFailed;
        }
        catch (Exception error)
        {
            await stderr.WriteLineAsync("error: " + OneLine(error.Message));
            return ExitCodes.For(error);
        }
    }

    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
