using System.Diagnostics;
using System.Net.Sockets;
using Virt.Supervisor.TestGuest;

namespace Virt.Bench;

/// <summary>The real virtd for the reliability benchmarks: started on a private tree, killed by pid; RSS from /proc.</summary>
public sealed class ReliabilityDaemon : IAsyncDisposable
{
    private readonly Process _process;

    private ReliabilityDaemon(string root, Process process)
    {
        Root = root;
        _process = process;
    }

    public string Root { get; }
    public string SocketPath => Path.Combine(Root, "run", "virt-sock");
    public int Pid => _process.Id;

    public static async Task<ReliabilityDaemon> StartAsync(string root, string? configFile = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "virtd.dll"));
        info.ArgumentList.Add("--root");
        info.ArgumentList.Add(root);
        if (configFile is not null)
        {
            info.ArgumentList.Add("--config");
            info.ArgumentList.Add(configFile);
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new ReliabilityDaemon(root, process);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (File.Exists(daemon.SocketPath))
            {
                using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await probe.ConnectAsync(new UnixDomainSocketEndPoint(daemon.SocketPath));
                    return daemon;
                }
                catch (SocketException)
                {
                }
            }
            await Task.Delay(20);
        }
        await daemon.DisposeAsync();
        throw new InvalidOperationException("virtd did not become ready");
    }

    /// <summary>Resident set size in KiB (VmRSS of /proc/PID/status).</summary>
    public long RssKiB()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    public static string GuestXml(string dir, string name)
    {
        var image = Path.Combine(dir, name + ".img");
        if (!File.Exists(image))
            TestGuestImage.Write(image);
        return $"""
            <domain type='qemu'><name>{name}</name><memory unit='MiB'>16</memory><vcpu>1</vcpu>
              <os><type arch='x86_64' machine='pc'>hvm</type></os><features><acpi/></features>
              <devices>
                <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='{image}'/><target dev='hda' bus='ide'/></disk>
                <memballoon model='none'/>
              </devices>
            </domain>
            """;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        // Any QEMU left by the benchmark on this tree goes too, by pid.
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
                continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
                if (cmdline.Contains("qemu-system", StringComparison.Ordinal) && cmdline.Contains(Root, StringComparison.Ordinal))
                    Process.GetProcessById(pid).Kill();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
            {
            }
        }
    }
}
