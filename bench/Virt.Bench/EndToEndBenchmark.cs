using System.Diagnostics;
using System.Net.Sockets;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// e2e: wall time of the real `virt start` and `virt destroy` against a private virtd with the test guest,
/// next to a bare qemu-system-x86_64 launched to a running guest with QMP answering; and `virt list --all`
/// with 1,000 defined domains. `virt` is the native binary users run (scripts/publish-virt.sh).
/// </summary>
public static class EndToEndBenchmark
{
    private const int Runs = 10;

    public static async Task RunAsync()
    {
        using var dir = new TempDirectory("ve2e");
        var image = dir.Combine("guest.img");
        TestGuestImage.Write(image);
        var bare = await BareQemuAsync(dir, image);

        using var daemon = Process.Start(Program("virtd", ["--root", dir.Combine("root")]))!;
        try
        {
            var socket = dir.Combine("root", "run", "virt-sock");
            await WaitForSocketAsync(socket);
            var uri = $"qemu:///session?socket={socket}";
            await using var client = await VirtConnection.OpenAsync(uri);
            await client.DefineAsync(BenchGuest.DomainXml("bench", image));

            var start = new List<double>();
            var destroy = new List<double>();
            await TimeVirtAsync(uri, ["start", "bench"]);   // first start probes the emulator; not counted
            await TimeVirtAsync(uri, ["destroy", "bench"]);
            for (var i = 0; i < Runs; i++)
            {
                start.Add(await TimeVirtAsync(uri, ["start", "bench"]));
                destroy.Add(await TimeVirtAsync(uri, ["destroy", "bench"]));
            }

            for (var i = 0; i < 1000; i++)
                await client.DefineAsync(BenchGuest.DomainXml($"idle-{i:D4}", image));
            var list = new List<double>();
            for (var i = 0; i < Runs; i++)
                list.Add(await TimeVirtAsync(uri, ["list", "--all"]));
            var cli = new List<double>();
            for (var i = 0; i < Runs; i++)
                cli.Add(await TimeVirtAsync(uri, ["version"]));

            Console.WriteLine($"{"measure",-48} {"median ms",10} {"min ms",8}");
            Print("bare qemu spawn -> guest running, QMP answering", bare);
            Print("virt start (process wall time)", start);
            Print("virt destroy (process wall time)", destroy);
            Print("virt list --all, 1001 domains", list);
            Print("virt version (CLI start-up alone)", cli);
            Console.WriteLine($"virt start overhead over bare QEMU: {Median(start) - Median(bare):F0} ms (median)");
        }
        finally
        {
            daemon.Kill();
            await daemon.WaitForExitAsync();
            foreach (var pid in Directory.EnumerateFiles(dir.Path, "*.status", SearchOption.AllDirectories))
                File.Delete(pid);
        }
    }

    internal static async Task<List<double>> BareQemuAsync(TempDirectory dir, string image)
    {
        var times = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var monitor = dir.Combine($"bare{i}.qmp");
            var clock = Stopwatch.StartNew();
            using var qemu = BenchGuest.StartBareQemu(image, monitor);
            try
            {
                await WaitForSocketAsync(monitor);
                await using var qmp = await Virt.Supervisor.Qmp.QmpClient.ConnectAsync(monitor);
                await qmp.ExecuteAsync("query-status");
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            finally
            {
                qemu.Kill();
                await qemu.WaitForExitAsync();
            }
        }
        return times;
    }

    /// <summary>A program by path, or by name from this benchmark's output directory.</summary>
    internal static ProcessStartInfo Program(string name, string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, name)) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return info;
    }

    private static async Task<double> TimeVirtAsync(string uri, string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(Program(VirtProgram.Path, ["-c", uri, .. args]))!;
        await Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync(), process.WaitForExitAsync());
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"virt {string.Join(' ', args)} failed with {process.ExitCode}");
        return clock.Elapsed.TotalMilliseconds;
    }

    internal static async Task WaitForSocketAsync(string path)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(path))
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await probe.ConnectAsync(new UnixDomainSocketEndPoint(path));
                    return;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(5);
        }
        throw new TimeoutException($"{path} never accepted a connection");
    }

    internal static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static void Print(string name, List<double> values) =>
        Console.WriteLine($"{name,-48} {Median(values),10:F0} {values.Min(),8:F0}");
}
