using System.Text.Json;

namespace Virt.Supervisor.Firmware;

/// <summary>
/// One QEMU firmware descriptor (docs/interop/firmware.json, as Debian's ovmf ships them in /usr/share/qemu/firmware):
/// what it is (uefi or bios), its flash images, the machines it runs on and what it can do (secure-boot, ...).
/// </summary>
public sealed record FirmwareDescriptor(
    string FileName,
    IReadOnlyList<string> InterfaceTypes,
    string Device,
    string? Executable,
    string? NvramTemplate,
    IReadOnlyList<(string Architecture, IReadOnlyList<string> Machines)> Targets,
    IReadOnlyList<string> Features)
{
    /// <summary>The descriptor in a file; null when it is not one (an empty file masks a lower one, as in QEMU's spec).</summary>
    public static FirmwareDescriptor? Parse(string fileName, string json)
    {
        if (string.IsNullOrWhiteSpace(json))
            return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var mapping = root.GetProperty("mapping");
            var device = mapping.GetProperty("device").GetString() ?? "";
            string? executable = null, template = null;
            if (mapping.TryGetProperty("executable", out var exe))
                executable = exe.GetProperty("filename").GetString();
            else if (mapping.TryGetProperty("filename", out var file))
                executable = file.GetString();
            if (mapping.TryGetProperty("nvram-template", out var nvram))
                template = nvram.GetProperty("filename").GetString();
            var targets = root.GetProperty("targets").EnumerateArray()
                .Select(t => (t.GetProperty("architecture").GetString() ?? "",
                    (IReadOnlyList<string>)[.. t.GetProperty("machines").EnumerateArray().Select(m => m.GetString() ?? "")]))
                .ToList();
            return new FirmwareDescriptor(fileName,
                [.. root.GetProperty("interface-types").EnumerateArray().Select(i => i.GetString() ?? "")],
                device, executable, template, targets,
                root.TryGetProperty("features", out var features) ? [.. features.EnumerateArray().Select(f => f.GetString() ?? "")] : []);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    public bool Has(string feature) => Features.Contains(feature);

    /// <summary>Runs on this architecture and machine (the machines are shell globs: pc-q35-*).</summary>
    public bool Runs(string architecture, string machine) =>
        Targets.Any(t => t.Architecture == architecture && t.Machines.Any(glob => Glob(glob, machine)));

    private static bool Glob(string pattern, string text) =>
        pattern.EndsWith('*') ? text.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == text;
}
