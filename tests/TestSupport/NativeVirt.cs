using System.Diagnostics;
using System.Reflection;

namespace Virt.TestSupport;

/// <summary>
/// The `virt` users run: the Native AOT binary that scripts/publish-virt.sh writes (./test.sh runs it through setup),
/// which hands `run` and embedded URIs to the JIT build beside it. Each run is ended by its pid if it outlives its time.
/// </summary>
public static class NativeVirt
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    /// <summary>Built in the configuration these tests were built in.</summary>
    public static string Path { get; } = System.IO.Path.Combine(RepoPaths.Root, "src", "Cli", "bin",
        typeof(NativeVirt).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release", "native", "virt");

    /// <summary>The JIT build beside it, which `run`, embedded URIs and domxml-to-native are handed to.</summary>
    public static string CompanionPath { get; } = System.IO.Path.Combine(RepoPaths.Root, "src", "Cli", "bin",
        typeof(NativeVirt).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release", "net10.0", "virt");

    public sealed record Result(int Exit, string Out, string Err);

    public static async Task<Result> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (!File.Exists(Path))
            throw new InvalidOperationException($"{Path} is missing: run scripts/publish-virt.sh (./test.sh does)");
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;

        using var process = Process.Start(start) ?? throw new InvalidOperationException("virt did not start");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Limit);
            await process.WaitForExitAsync(timeout.Token);
            return new Result(process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }
}
