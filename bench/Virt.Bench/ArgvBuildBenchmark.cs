using System.Diagnostics;
using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Supervisor.Capabilities;
using Virt.Supervisor.CommandLine;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// Domain XML to QEMU argv: parse + build for each xml2argv conformance case, mean µs per case, with one probe's
/// capabilities; then the same over every case of libvirt 11.3's suite (qemuxmlconf) that converts, and over the
/// virt-install test data.
/// </summary>
public static class ArgvBuildBenchmark
{
    private const int Warmup = 2000;
    private const int Iterations = 20000;

    public static async Task RunAsync()
    {
        var caps = await CapabilitiesProbe.ProbeAsync("/usr/bin/qemu-system-x86_64");
        var ctx = new QemuArgvContext("/run/virt/qemu/domain-1/monitor.sock", "/run/virt/qemu/domain-1");
        var cases = ConformanceCorpus.Files(".args", "xml2argv")
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

        Corpus("qemuxmlconf (converted cases)", ConformanceCorpus.Files(".args", "qemuxmlconf").Select(a => Path.ChangeExtension(a, ".xml")), caps, ctx, xml => xml);
        Corpus("virt-install data", Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "Data", "virtinst"), "*.xml"), caps, ctx,
            xml => xml.Replace("@DIR@", "/var/lib/virt"));
    }

    /// <summary>Mean parse + build over the cases of a directory that convert; kvm cases as on a host with KVM, as the tests build them.</summary>
    private static void Corpus(string title, IEnumerable<string> files, QemuCapabilities caps, QemuArgvContext ctx, Func<string, string> prepare)
    {
        var kvm = caps with { KvmPresent = true, KvmEnabled = true, Accelerators = ["tcg", "kvm"] };
        var cases = new List<(string Name, string Xml, QemuCapabilities Caps, QemuArgvContext Ctx)>();
        var refused = 0;
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var xml = prepare(File.ReadAllText(file));
            try
            {
                var def = DomainXml.Parse(xml);
                var chosen = def.Type == DomainType.Kvm ? kvm : caps;
                var withTaps = ctx.WithTapPlaceholders(def);
                QemuArgvBuilder.Build(def, chosen, withTaps);
                cases.Add((Path.GetFileNameWithoutExtension(file), xml, chosen, withTaps));
            }
            catch (Virt.Protocol.Errors.VirtException)
            {
                refused++;
            }
        }
        double total = 0;
        var worst = (Name: "", Mean: 0.0);
        foreach (var (name, xml, chosen, withTaps) in cases)
        {
            var mean = Mean(() => QemuArgvBuilder.Build(DomainXml.Parse(xml), chosen, withTaps), warmup: 200, iterations: 2000);
            total += mean;
            if (mean > worst.Mean)
                worst = (name, mean);
        }
        Console.WriteLine($"{title}: {cases.Count} cases ({refused} refused, not timed): parse+build mean {Us(total / cases.Count)} µs per case, slowest {worst.Name} {Us(worst.Mean)} µs");
    }

    private static double Mean(Func<QemuCommandLine> run, int warmup = Warmup, int iterations = Iterations)
    {
        var sink = 0;
        for (var i = 0; i < warmup; i++)
            sink += run().Arguments.Count;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
            sink += run().Arguments.Count;
        GC.KeepAlive(sink);
        return watch.Elapsed.TotalMicroseconds / iterations;
    }

    private static string Us(double micros) => micros.ToString("F1", CultureInfo.InvariantCulture);
}
