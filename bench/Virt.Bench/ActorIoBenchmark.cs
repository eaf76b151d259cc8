using System.Diagnostics;
using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Supervisor.Status;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// The I/O a DomainActor still does on its own thread: the status-file write of every transition (temp file, fsync,
/// rename, directory fsync) and the /proc/PID/stat read of dominfo. Median and p99 on tmpfs (/run, a system daemon's)
/// and on the disk under /tmp (a session daemon's cache directory is on disk too).
/// </summary>
public static class ActorIoBenchmark
{
    private const int Iterations = 2000;

    public static Task Run()
    {
        var xml = DomainXml.Format(DomainXml.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Data", "virtinst", "q35-virtio.xml"))
            .Replace("@DIR@", "/var/lib/virt")), secure: true);
        foreach (var (label, parent) in new[] { ("tmpfs (/dev/shm)", "/dev/shm"), ("disk (/tmp)", Path.GetTempPath()) })
        {
            if (!Directory.Exists(parent))
                continue;
            var dir = Path.Combine(parent, $"virt-actor-io-{Environment.ProcessId}");
            Directory.CreateDirectory(dir);
            try
            {
                var store = new StatusFileStore(dir);
                var status = new DomainStatusFile
                {
                    Uuid = Guid.NewGuid(),
                    Name = "bench",
                    Pid = Environment.ProcessId,
                    ProcessStartTime = 1,
                    MonitorPath = "/run/virt/qemu/1.qmp",
                    State = "running",
                    Reason = "booted",
                    DomainXml = xml,
                    DomainId = 1,
                };
                Report($"status write, {xml.Length / 1024} KiB live XML, {label}", () => store.Write(status));
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        var stat = $"/proc/{Environment.ProcessId}/stat";
        Report("/proc/PID/stat read (dominfo's CPU time)", () => File.ReadAllText(stat));
        return Task.CompletedTask;
    }

    private static void Report(string what, Action step)
    {
        for (var i = 0; i < 100; i++)
            step();
        var samples = new double[Iterations];
        for (var i = 0; i < Iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            step();
            samples[i] = watch.Elapsed.TotalMicroseconds;
        }
        Array.Sort(samples);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: median {samples[Iterations / 2]:F1} µs, p99 {samples[Iterations * 99 / 100]:F1} µs, max {samples[^1]:F1} µs"));
    }
}
