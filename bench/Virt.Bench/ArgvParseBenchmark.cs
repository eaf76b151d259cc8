using System.Diagnostics;
using Virt.Supervisor.Attach;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>QEMU argv to domain definition: mean time per libvirt conformance command line (argv2xml and xml2argv).</summary>
public static class ArgvParseBenchmark
{
    private const int Warmup = 200;
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    public static Task Run()
    {
        var files = ConformanceCorpus.Files(".args", "argv2xml", "xml2argv");
        Console.WriteLine($"{"case",-45} {"iterations",10} {"mean µs",10}");
        var total = 0.0;
        var count = 0;
        foreach (var file in files)
        {
            var argv = ShellWords.Parse(File.ReadAllText(file)).Argv;
            for (var i = 0; i < Warmup; i++)
                QemuArgvParser.Parse(argv, "bench");
            var iterations = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Budget)
            {
                for (var i = 0; i < 100; i++)
                    QemuArgvParser.Parse(argv, "bench");
                iterations += 100;
            }
            var mean = clock.Elapsed.TotalMicroseconds / iterations;
            total += mean;
            count++;
            Console.WriteLine($"{Path.GetRelativePath(RepoPaths.Conformance, file),-45} {iterations,10} {mean,10:F1}");
        }
        Console.WriteLine($"{"mean over " + count + " command lines",-45} {"",10} {total / Math.Max(count, 1),10:F1}");
        return Task.CompletedTask;
    }
}
