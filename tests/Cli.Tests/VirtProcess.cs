using Virt.TestSupport;

namespace Virt.Cli.Tests;

/// <summary>Runs the `virt` users run (the native binary) as its own process.</summary>
internal static class VirtProcess
{
    public static async Task<TestCli.Result> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var result = await NativeVirt.RunAsync(args, environment);
        return new TestCli.Result(result.Exit, result.Out, result.Err);
    }
}
