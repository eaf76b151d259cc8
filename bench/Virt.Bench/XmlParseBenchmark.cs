using System.Diagnostics;
using Virt.Protocol.Domains;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>Parse + format time per libvirt conformance document that Virt accepts.</summary>
public static class XmlParseBenchmark
{
    private const int Warmup = 200;
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);

    public static Task Run()
    {
        var files = ConformanceCorpus.Files(".xml", "xml2xml", "xml2argv", "argv2xml")
            .Where(f => !f.EndsWith(".out.xml", StringComparison.Ordinal));
        Console.WriteLine($"{"case",-45} {"iterations",10} {"mean µs",10}");
        foreach (var file in files)
        {
            var xml = File.ReadAllText(file);
            try
            {
                DomainXml.Parse(xml);
            }
            catch (DomainXmlException)
            {
                continue; // refused cases are not a parse+format workload
            }
            for (var i = 0; i < Warmup; i++)
                DomainXml.Format(DomainXml.Parse(xml));
            var iterations = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < Budget)
            {
                for (var i = 0; i < 100; i++)
                    DomainXml.Format(DomainXml.Parse(xml));
                iterations += 100;
            }
            var mean = clock.Elapsed.TotalMicroseconds / iterations;
            var name = Path.GetRelativePath(RepoPaths.Conformance, file);
            Console.WriteLine($"{name,-45} {iterations,10} {mean,10:F1}");
        }
        return Task.CompletedTask;
    }
}
