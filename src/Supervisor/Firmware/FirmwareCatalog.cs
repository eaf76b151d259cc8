using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Firmware;

/// <summary>
/// The firmware descriptors of this host, and libvirt's choice among them for a definition that says
/// &lt;os firmware='efi'&gt;: the first (by file name; /etc/qemu/firmware overrides /usr/share/qemu/firmware) that is
/// UEFI in flash, runs the machine, has the features asked for and lacks those refused, and is the loader named.
/// </summary>
public sealed class FirmwareCatalog(IReadOnlyList<FirmwareDescriptor> descriptors)
{
    public static readonly string[] SystemDirectories = ["/etc/qemu/firmware", "/usr/share/qemu/firmware"];

    private static readonly Lazy<FirmwareCatalog> LazySystem = new(() => Load(SystemDirectories));

    /// <summary>The host's descriptors, read once.</summary>
    public static FirmwareCatalog System => LazySystem.Value;

    public IReadOnlyList<FirmwareDescriptor> Descriptors { get; } = descriptors;

    /// <summary>Reads the descriptors of the directories, the first directory winning for a file name; unreadable ones are skipped.</summary>
    public static FirmwareCatalog Load(IEnumerable<string> directories)
    {
        var byName = new SortedDictionary<string, FirmwareDescriptor?>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            if (!Directory.Exists(directory))
                continue;
            foreach (var file in Directory.EnumerateFiles(directory, "*.json"))
            {
                var name = Path.GetFileName(file);
                if (byName.ContainsKey(name))
                    continue;
                try
                {
                    byName[name] = FirmwareDescriptor.Parse(name, File.ReadAllText(file));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    byName[name] = null;
                }
            }
        }
        return new FirmwareCatalog([.. byName.Values.OfType<FirmwareDescriptor>()]);
    }

    /// <summary>The descriptor libvirt would pick for the definition on its (canonical) machine; refused when none fits.</summary>
    public FirmwareDescriptor Select(DomainDefinition def, string machine)
    {
        var os = def.Os;
        var arch = os.Arch ?? "x86_64";
        var wanted = os.Firmware == "bios" ? "bios" : "uefi";
        foreach (var d in Descriptors)
        {
            if (!d.InterfaceTypes.Contains(wanted) || d.Device != "flash" || !d.Runs(arch, machine))
                continue;
            if (os.FirmwareFeatures.Any(f => f.Value != d.Has(f.Key)))
                continue;
            if (os.Loader?.Path is { } path && path != d.Executable)
                continue;
            if (os.Loader?.Secure is { } secure && secure != d.Has("requires-smm"))
                continue;
            return d;
        }
        var asked = string.Join(", ", os.FirmwareFeatures.Select(f => $"{f.Key}={(f.Value ? "yes" : "no")}"));
        throw new VirtException(ErrorCode.ConfigUnsupported,
            $"no firmware for <os firmware='{os.Firmware}'> on machine '{machine}'{(asked.Length > 0 ? $" with {asked}" : "")} among the descriptors in {string.Join(", ", SystemDirectories)}"
            + (Descriptors.Count == 0 ? " (there are none: install Debian's ovmf)" : ""));
    }
}
