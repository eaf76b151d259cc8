using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Virt.Protocol.Errors;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Capabilities;

/// <summary>Starts an emulator binary with no machine and asks it over QMP what it can do.</summary>
public static class CapabilitiesProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] ProbeArguments = ["-machine", "none", "-nodefaults", "-nographic", "-S", "-qmp", "stdio"];

    public static async Task<QemuCapabilities> ProbeAsync(string emulatorPath, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(emulatorPath);
        var path = Path.GetFullPath(emulatorPath);
        if (!File.Exists(path))
            throw new VirtException(ErrorCode.OperationFailed, $"emulator binary {path} does not exist");

        using var spawner = ProbeSpawner.Start(path, ProbeArguments);
        var process = await spawner.Process.ConfigureAwait(false);
        var stderr = new BoundedText(4096);
        process.ErrorDataReceived += (_, e) => stderr.AppendLine(e.Data);
        process.BeginErrorReadLine();
        try
        {
            var options = new QmpClientOptions { ConnectTimeout = ProbeTimeout, CommandTimeout = ProbeTimeout };
            QmpClient client;
            try
            {
                client = await QmpClient.ConnectAsync(process.StandardOutput.BaseStream, process.StandardInput.BaseStream, options, ct)
                    .ConfigureAwait(false);
            }
            catch (VirtException e)
            {
                // Reaping first lets the stderr reader reach EOF, so the message carries the binary's own words.
                await KillAsync(process).ConfigureAwait(false);
                throw new VirtException(ErrorCode.OperationFailed,
                    $"{path} is not a usable QEMU emulator: {e.Message}{StderrSuffix(stderr)}", e);
            }
            try
            {
                return await QueryAsync(path, client, ct).ConfigureAwait(false);
            }
            catch (VirtException e)
            {
                throw new VirtException(ErrorCode.OperationFailed, $"probing {path} failed: {e.Message}{StderrSuffix(stderr)}", e);
            }
            finally
            {
                // Killing first gives the reader a prompt EOF; a pipe read may not notice its stream being disposed.
                await KillAsync(process).ConfigureAwait(false);
                await client.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await KillAsync(process).ConfigureAwait(false);
        }
    }

    private static async Task<QemuCapabilities> QueryAsync(string path, QmpClient client, CancellationToken ct)
    {
        var version = await client.ExecuteAsync("query-version", ct: ct).ConfigureAwait(false);
        var machines = await client.ExecuteAsync("query-machines", ct: ct).ConfigureAwait(false);
        var kvm = await client.ExecuteAsync("query-kvm", ct: ct).ConfigureAwait(false);
        var commands = await client.ExecuteAsync("query-commands", ct: ct).ConfigureAwait(false);
        var accelerators = await client.ExecuteAsync("qom-list-types", new Dictionary<string, object?>
        {
            ["implements"] = "accel",
            ["abstract"] = false,
        }, ct: ct).ConfigureAwait(false);
        var options = await client.ExecuteAsync("query-command-line-options", ct: ct).ConfigureAwait(false);
        var cpus = await client.ExecuteAsync("query-cpu-definitions", ct: ct).ConfigureAwait(false);

        var qemu = version.GetProperty("qemu");
        return new QemuCapabilities
        {
            EmulatorPath = path,
            Version = new Version(qemu.GetProperty("major").GetInt32(), qemu.GetProperty("minor").GetInt32(), qemu.GetProperty("micro").GetInt32()),
            Package = version.TryGetProperty("package", out var package) ? package.GetString() : null,
            Machines = machines.EnumerateArray().Select(ParseMachine).OrderBy(m => m.Name, StringComparer.Ordinal).ToArray(),
            KvmPresent = kvm.GetProperty("present").GetBoolean(),
            KvmEnabled = kvm.GetProperty("enabled").GetBoolean(),
            // Type names are "<name>-accel"; the abstract base "accel" itself is listed too and is skipped.
            Accelerators = accelerators.EnumerateArray()
                .Select(t => t.GetProperty("name").GetString() ?? "")
                .Where(n => n.EndsWith("-accel", StringComparison.Ordinal))
                .Select(n => n[..^"-accel".Length])
                .Order(StringComparer.Ordinal)
                .ToArray(),
            Commands = commands.EnumerateArray().Select(c => c.GetProperty("name").GetString() ?? "").ToHashSet(StringComparer.Ordinal),
            SupportsSandbox = options.EnumerateArray().Any(o => o.GetProperty("option").GetString() == "sandbox"),
            CpuModels = cpus.EnumerateArray().Select(ParseCpuModel).OrderBy(m => m.Name, StringComparer.Ordinal).ToArray(),
        };
    }

    /// <summary>Usable when QEMU lists no unavailable features for it under the accelerator the probe ran with (TCG).</summary>
    private static CpuModel ParseCpuModel(JsonElement cpu) => new(
        cpu.GetProperty("name").GetString() ?? "",
        !cpu.TryGetProperty("unavailable-features", out var missing) || missing.GetArrayLength() == 0,
        cpu.TryGetProperty("deprecated", out var deprecated) && deprecated.GetBoolean());

    private static MachineType ParseMachine(JsonElement machine) => new(
        machine.GetProperty("name").GetString() ?? "",
        machine.TryGetProperty("alias", out var alias) ? alias.GetString() : null,
        machine.TryGetProperty("is-default", out var isDefault) && isDefault.GetBoolean(),
        machine.TryGetProperty("cpu-max", out var max) ? max.GetInt32() : 1,
        machine.TryGetProperty("deprecated", out var deprecated) && deprecated.GetBoolean());

    private static async Task KillAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
                process.Kill();
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
        using var reap = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(reap.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // SIGKILL was sent; a zombie that lingers is not worth hanging the caller for.
        }
    }

    private static string StderrSuffix(BoundedText stderr)
    {
        var text = stderr.ToString().Trim();
        return text.Length == 0 ? "" : $" (stderr: {text})";
    }

    /// <summary>Keeps the first few KiB of a child's stderr, thread-safe, for error messages.</summary>
    private sealed class BoundedText(int limit)
    {
        private readonly StringBuilder _text = new();

        public void AppendLine(string? line)
        {
            if (line is null)
                return;
            lock (_text)
            {
                if (_text.Length < limit)
                    _text.AppendLine(line.Length > limit ? line[..limit] : line);
            }
        }

        public override string ToString()
        {
            lock (_text)
                return _text.ToString();
        }
    }
}
