using System.Diagnostics;
using System.Globalization;
using Virt.Supervisor.TestGuest;
using Virt.TestSupport;

namespace Virt.Bench;

/// <summary>
/// libvirt-side-by-side: the same Debian virsh and the same python3-libvirt script against virtd and against
/// libvirt's own daemon: start and destroy of the test guest, dominfo, list --all with 1,001 domains, and the define
/// and lookup+info rates, next to a bare QEMU started to a running guest. libvirtd is reached at
/// $VIRT_BENCH_LIBVIRT_URI (bench/libvirt-side-by-side.sh installs, starts and stops it); without it only virtd runs.
/// </summary>
public static class LibvirtSideBySideBenchmark
{
    private const int Runs = 10;
    private const int IdleDomains = 1000;

    private sealed record Figures(List<double> Start, List<double> Destroy, List<double> DomInfo, List<double> List, double DefineRate, double LookupRate,
        List<double> Save, List<double> Restore);

    public static async Task RunAsync()
    {
        using var dir = new TempDirectory("vlsb");
        var image = dir.Combine("guest.img");
        TestGuestImage.Write(image);
        var bare = await EndToEndBenchmark.BareQemuAsync(dir, image);

        Figures virt;
        using (var daemon = Process.Start(EndToEndBenchmark.Program("virtd", ["--root", dir.Combine("root")]))!)
        {
            try
            {
                var socket = dir.Combine("root", "run", "virt-sock");
                await EndToEndBenchmark.WaitForSocketAsync(socket);
                virt = await MeasureAsync($"qemu+unix:///session?socket={socket}", dir, image, "virt");
            }
            finally
            {
                daemon.Kill();
                await daemon.WaitForExitAsync();
            }
        }

        Figures? libvirt = null;
        if (Environment.GetEnvironmentVariable("VIRT_BENCH_LIBVIRT_URI") is { Length: > 0 } libvirtUri)
            libvirt = await MeasureAsync(libvirtUri, dir, image, "lv");
        else
            Console.WriteLine("(VIRT_BENCH_LIBVIRT_URI unset: virtd only; bench/libvirt-side-by-side.sh runs both)");

        Console.WriteLine($"{"measure (same virsh / python3-libvirt)",-44} {"virtd",10} {"libvirtd",10}");
        Console.WriteLine($"{"bare qemu spawn -> guest running (ms)",-44} {EndToEndBenchmark.Median(bare),10:F0}");
        Row("virsh start (ms, median)", virt.Start, libvirt?.Start);
        Row("virsh destroy (ms, median)", virt.Destroy, libvirt?.Destroy);
        Row("virsh dominfo (ms, median)", virt.DomInfo, libvirt?.DomInfo);
        Row($"virsh list --all, {IdleDomains + 1} domains (ms, median)", virt.List, libvirt?.List);
        Row("virsh save, 256 MiB guest (ms, median)", virt.Save, libvirt?.Save);
        Row("virsh restore, 256 MiB guest (ms, median)", virt.Restore, libvirt?.Restore);
        Console.WriteLine($"{"defineXML rate (/s)",-44} {virt.DefineRate,10:F0} {libvirt?.DefineRate,10:F0}");
        Console.WriteLine($"{"lookupByName + info rate (/s)",-44} {virt.LookupRate,10:F0} {libvirt?.LookupRate,10:F0}");
        Console.WriteLine($"virsh start over bare QEMU: {EndToEndBenchmark.Median(virt.Start) - EndToEndBenchmark.Median(bare):F0} ms (virtd)");
    }

    private static void Row(string name, List<double> virt, List<double>? libvirt) =>
        Console.WriteLine($"{name,-44} {EndToEndBenchmark.Median(virt),10:F0} {(libvirt is null ? "" : EndToEndBenchmark.Median(libvirt).ToString("F0", CultureInfo.InvariantCulture)),10}");

    private static async Task<Figures> MeasureAsync(string uri, TempDirectory dir, string image, string prefix)
    {
        var name = $"{prefix}-bench";
        var xml = dir.Combine($"{name}.xml");
        await File.WriteAllTextAsync(xml, BenchGuest.DomainXml(name, image));
        var template = dir.Combine($"{prefix}-idle.xml");
        await File.WriteAllTextAsync(template, BenchGuest.DomainXml("NAME", image));
        await VirshAsync(uri, "define", xml);
        try
        {
            await VirshAsync(uri, "start", name); // the first start probes the emulator; not counted
            await VirshAsync(uri, "destroy", name);
            List<double> start = [], destroy = [], info = [], list = [];
            for (var i = 0; i < Runs; i++)
            {
                start.Add(await VirshAsync(uri, "start", name));
                info.Add(await VirshAsync(uri, "dominfo", name));
                destroy.Add(await VirshAsync(uri, "destroy", name));
            }
            var defineRate = double.Parse(await PythonAsync("define", uri, template, IdleDomains.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
            for (var i = 0; i < Runs; i++)
                list.Add(await VirshAsync(uri, "list", "--all"));
            var lookupRate = double.Parse(await PythonAsync("lookup", uri, "3"), CultureInfo.InvariantCulture);
            var (save, restore) = await SaveRestoreAsync(uri, dir, image, prefix);
            return new Figures(start, destroy, info, list, defineRate, lookupRate, save, restore);
        }
        finally
        {
            await PythonAsync("undefine", uri);
            await VirshAsync(uri, "undefine", name);
        }
    }

    /// <summary>virsh save and restore of the test guest with 256 MiB, running; each restore destroyed before the next save.</summary>
    private static async Task<(List<double> Save, List<double> Restore)> SaveRestoreAsync(string uri, TempDirectory dir, string image, string prefix)
    {
        var name = $"{prefix}-save";
        var xml = dir.Combine($"{name}.xml");
        await File.WriteAllTextAsync(xml, BenchGuest.DomainXml(name, image).Replace("<memory unit='MiB'>16</memory>", "<memory unit='MiB'>256</memory>"));
        var file = dir.Combine($"{name}.save");
        await VirshAsync(uri, "define", xml);
        try
        {
            List<double> save = [], restore = [];
            for (var i = 0; i < Runs; i++)
            {
                await VirshAsync(uri, "start", name);
                save.Add(await VirshAsync(uri, "save", name, file));
                restore.Add(await VirshAsync(uri, "restore", file));
                await VirshAsync(uri, "destroy", name);
                File.Delete(file);
            }
            return (save, restore);
        }
        finally
        {
            await VirshAsync(uri, "undefine", name);
        }
    }

    private static async Task<double> VirshAsync(string uri, params string[] args)
    {
        var info = new ProcessStartInfo("virsh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-c", uri, .. args])
            info.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"virsh {string.Join(' ', args)} failed: {await error}{await output}");
        return elapsed;
    }

    private static async Task<string> PythonAsync(params string[] args)
    {
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "libvirt_rates.py"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"libvirt_rates.py {string.Join(' ', args)} failed: {await error}");
        return (await output).Trim();
    }
}
