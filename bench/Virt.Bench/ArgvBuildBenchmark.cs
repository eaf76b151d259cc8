using System.Diagnostics;
using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.CommandLine;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>Domain XML to QEMU argv: parse + build for each xml2argv conformance case, mean µs per case, with one probe's capabilities.</summary>
public static class ArgvBuildBenchmark
{
    private const int Warmup = 2000;
    private const int Iterations = 20000;

    public static async Task RunAsync()
    {
        var caps = await CapabilitiesProbe.ProbeAsync("/usr/bin/qemu-system-x86_64");
        var ctx = new QemuArgvContext("/run/virt/qemu/domain-1/monitor.sock", "/run/virt/qemu/domain-1");
        var directory = Path.Combine(RepoPaths.Conformance, "xml2argv");
        var cases = Directory.GetFiles(directory, "*.args").Order()
            .Select(args => (Name: Path.GetFileNameWithoutExtension(args), Xml: File.ReadAllText(Path.ChangeExtension(args, ".xml"))))
            .ToList();

        Console.WriteLine($"{"case",-24} {"parse+build µs",16} {"build only µs",14} {"argv",5}");
        double totalBoth = 0, totalBuild = 0;
        foreach (var (name, xml) in cases)
        {
            var def = DomainXml.Parse(xml);
            var count = QemuArgvBuilder.Build(def, caps, ctx).Arguments.Count;
            var both = Mean(() => QemuArgvBuilder.Build(DomainXml.Parse(xml), caps, ctx));
            var build = Mean(() => QemuArgvBuilder.Build(def, caps, ctx));
            Console.WriteLine($"{name,-24} {Us(both),16} {Us(build),14} {count,5}");
            totalBoth += both;
            totalBuild += build;
        }
        Console.WriteLine($"{"mean per case",-24} {Us(totalBoth / cases.Count),16} {Us(totalBuild / cases.Count),14}");
    }

    private static double Mean(Func<QemuCommandLine> run)
    {
        var sink = 0;
        for (var i = 0; i < Warmup; i++)
            sink += run().Arguments.Count;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < Iterations; i++)
            sink += run().Arguments.Count;
        GC.KeepAlive(sink);
        return watch.Elapsed.TotalMicroseconds / Iterations;
    }

    private static string Us(double micros) => micros.ToString("F1", CultureInfo.InvariantCulture);
}
