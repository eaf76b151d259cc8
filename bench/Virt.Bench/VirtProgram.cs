using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>The `virt` the process benchmarks time: the native one users run, or VIRT_BENCH_CLI (e.g. the JIT build, to compare).</summary>
internal static class VirtProgram
{
    public static string Path => Environment.GetEnvironmentVariable("VIRT_BENCH_CLI") is { Length: > 0 } path ? path : NativeVirt.Path;
}
