using System.Text.Json;
using Virt.Protocol.Domains;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>
/// QEMU picks a pty's /dev/pts/N itself; the live definition records it (query-chardev), with each serial and console
/// named by its QEMU id as libvirt's alias (serial0, console1), so dumpxml shows the path and a console can be opened
/// by DEVNAME. A serial-type console is serial 0 seen again (libvirt's compatibility console, which the implicit
/// devices add): it gets serial 0's path and alias.
/// </summary>
public static class ConsolePtys
{
    public static async Task<DomainDefinition> ResolveAsync(QmpClient qmp, DomainDefinition live, TimeSpan timeout, CancellationToken ct)
    {
        var devices = live.Devices;
        if (devices.Serials.Count == 0 && devices.Consoles.Count == 0)
            return live;
        var ptys = new Dictionary<string, string>(StringComparer.Ordinal);
        if (devices.Serials.Concat(devices.Consoles).Any(c => c.SourceType == CharDeviceSourceType.Pty))
        {
            var reply = await qmp.ExecuteAsync("query-chardev", null, timeout, ct).ConfigureAwait(false);
            ptys = PtyPaths(reply);
        }
        return Named(live, ptys);
    }

    /// <summary>Whether a pty serial or console has no alias or path yet (a live definition from before they were kept).</summary>
    public static bool Unresolved(DomainDefinition live) =>
        live.Devices.Serials.Concat(live.Devices.Consoles).Any(c => c.SourceType == CharDeviceSourceType.Pty && (c.Alias is null || c.Path is null));

    /// <summary>QEMU's answer as chardev id → pty path ("filename": "pty:/dev/pts/3").</summary>
    public static Dictionary<string, string> PtyPaths(JsonElement queryChardev)
    {
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        if (queryChardev.ValueKind != JsonValueKind.Array)
            return paths;
        foreach (var chardev in queryChardev.EnumerateArray())
        {
            if (chardev.TryGetProperty("label", out var label) && label.GetString() is { } id
                && chardev.TryGetProperty("filename", out var filename) && filename.GetString() is { } name
                && name.StartsWith("pty:", StringComparison.Ordinal))
                paths[id] = name["pty:".Length..];
        }
        return paths;
    }

    /// <summary>The definition with aliases and pty paths, given the chardev ids the argv builder used.</summary>
    public static DomainDefinition Named(DomainDefinition live, IReadOnlyDictionary<string, string> ptys)
    {
        var devices = live.Devices;
        var serials = devices.Serials.Select((s, i) => WithPty(s, $"serial{s.TargetPort ?? i}", ptys)).ToList();
        var consoles = new List<CharDevice>();
        for (var i = 0; i < devices.Consoles.Count; i++)
        {
            var console = devices.Consoles[i];
            if (console.TargetType is null or "serial" && i == 0)
                consoles.Add(serials.Count > 0 ? Mirror(console, serials[0]) : WithPty(console, "serial0", ptys));
            else
                consoles.Add(WithPty(console, $"console{i}", ptys, chardev: $"charconsole{i}"));
        }
        return live with { Devices = devices with { Serials = serials, Consoles = consoles } };
    }

    private static CharDevice WithPty(CharDevice device, string alias, IReadOnlyDictionary<string, string> ptys, string? chardev = null) =>
        device with
        {
            Alias = alias,
            Path = device.SourceType == CharDeviceSourceType.Pty && ptys.TryGetValue(chardev ?? $"char{alias}", out var pty) ? pty : device.Path,
        };

    /// <summary>The compatibility console: serial 0's host side under serial 0's alias.</summary>
    private static CharDevice Mirror(CharDevice console, CharDevice serial0) => console with
    {
        SourceType = serial0.SourceType,
        Path = serial0.Path,
        Append = serial0.Append,
        Mode = serial0.Mode,
        Host = serial0.Host,
        Service = serial0.Service,
        Protocol = serial0.Protocol,
        LogFile = serial0.LogFile,
        LogAppend = serial0.LogAppend,
        TargetType = console.TargetType ?? "serial",
        TargetPort = console.TargetPort ?? 0,
        Alias = serial0.Alias,
    };
}
