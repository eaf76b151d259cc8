using Virt.Protocol.Errors;

namespace Virt.Supervisor.CommandLine;

/// <summary>Turns a disk target name (hda, sdb, vdaa, fdb) into its index, as libvirt numbers them.</summary>
internal static class DiskTargetName
{
    private static readonly string[] Prefixes = ["xvd", "ubd", "hd", "sd", "vd", "fd"];
    // Indices past this are beyond any bus Virt can build and would overflow the arithmetic.
    private const int MaxLetters = 5;

    public static int Index(string targetDev)
    {
        var prefix = Prefixes.FirstOrDefault(p => targetDev.StartsWith(p, StringComparison.Ordinal));
        var letters = prefix is null ? "" : targetDev[prefix.Length..];
        if (letters.Length is 0 or > MaxLetters || !letters.All(c => c is >= 'a' and <= 'z'))
            throw new VirtException(ErrorCode.XmlError, $"Unknown disk name '{targetDev}' and no address specified");
        // Bijective base 26: a=0 ... z=25, aa=26.
        var index = 0;
        foreach (var c in letters)
            index = index * 26 + (c - 'a' + 1);
        return index - 1;
    }
}
