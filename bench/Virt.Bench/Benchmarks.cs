namespace Virt.Bench;

/// <summary>The benchmarks by name; each prints its own figures.</summary>
public static class Benchmarks
{
    public static IReadOnlyDictionary<string, Func<Task>> All { get; } = new SortedDictionary<string, Func<Task>>
    {
        ["xml-parse"] = XmlParseBenchmark.Run,
        ["qmp-roundtrip"] = QmpRoundTripBenchmark.RunAsync,
        ["registry-scan"] = RegistryScanBenchmark.Run,
        ["spawn"] = SpawnBenchmark.RunAsync,
        ["argv-build"] = ArgvBuildBenchmark.RunAsync,
        ["argv-parse"] = ArgvParseBenchmark.Run,
        ["domain-scale"] = DomainScaleBenchmark.RunAsync,
        ["connections"] = ConnectionBenchmark.RunAsync,
        ["e2e"] = EndToEndBenchmark.RunAsync,
        ["domain-lifecycle"] = DomainLifecycleBenchmark.RunAsync,
        ["cli-format"] = CliBenchmark.RunFormat,
        ["cli-startup"] = CliBenchmark.RunStartupAsync,
        ["reliability-load"] = ReliabilityLoadBenchmark.RunLoadAsync,
        ["reliability-stuck-consumer"] = ReliabilityLoadBenchmark.RunStuckConsumerAsync,
        ["reliability-hostile"] = HostileClientBenchmark.RunAsync,
        ["libvirt-side-by-side"] = LibvirtSideBySideBenchmark.RunAsync,
        ["actor-io"] = ActorIoBenchmark.Run,
        ["daemon-start"] = DaemonStartBenchmark.RunAsync,
        ["domstats"] = DomainStatsBenchmark.RunAsync,
        ["save-restore"] = SaveRestoreBenchmark.RunAsync,
        ["cluster"] = ClusterBenchmark.RunAsync,
    };
}
