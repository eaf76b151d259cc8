using Virt.Supervisor.Native;

namespace Virt.Actors.Registry;

/// <summary>What the snapshot rules ask of the file system (stat, symlinks followed), for the plain rules to take as functions.</summary>
internal static class FileProbe
{
    private const uint TypeMask = 0xF000;
    private const uint RegularType = 0x8000;

    /// <summary>The size of a regular file (0 for anything else there), or null when nothing is.</summary>
    public static long? Size(string path)
    {
        if (NativeFiles.StatDevice(path) is not { } stat)
            return null;
        return (stat.Mode & TypeMask) == RegularType ? (long)NativeFiles.StatFile(path).Size : 0;
    }

    public static bool IsRegularFile(string path) => NativeFiles.StatDevice(path) is { } stat && (stat.Mode & TypeMask) == RegularType;
}
