namespace Virt.Protocol.Domains;

/// <summary>libvirt's disk target names (hda, vdb, sdaa1...): a bus prefix, letters counting from a, an optional partition.</summary>
public static class DiskNames
{
    private static readonly string[] Prefixes = ["fd", "hd", "vd", "sd", "xvd", "ubd"];

    /// <summary>The zero-based disk index the name stands for (hda 0, hdz 25, hdaa 26), or null if it is not a disk name.</summary>
    public static int? ToIndex(string name)
    {
        var prefix = Prefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.Ordinal));
        if (prefix is null)
            return null;
        long index = 0;
        var i = prefix.Length;
        for (var n = 0; i < name.Length && name[i] is >= 'a' and <= 'z'; i++, n++)
        {
            index = (index + (n == 0 ? 0 : 1)) * 26 + (name[i] - 'a');
            if (index > int.MaxValue)
                return null;
        }
        for (; i < name.Length; i++)
        {
            if (name[i] is < '0' or > '9')
                return null;
        }
        return (int)index;
    }

    /// <summary>The bus libvirt assumes for a target name when the bus attribute is missing.</summary>
    public static DiskBus? DefaultBus(string name, DiskDeviceKind device) =>
        device == DiskDeviceKind.Floppy ? DiskBus.Fdc
        : name.StartsWith("hd", StringComparison.Ordinal) ? DiskBus.Ide
        : name.StartsWith("sd", StringComparison.Ordinal) ? DiskBus.Scsi
        : name.StartsWith("vd", StringComparison.Ordinal) ? DiskBus.Virtio
        : name.StartsWith("fd", StringComparison.Ordinal) ? DiskBus.Fdc
        : null;
}
