using System.Text.Json;

namespace Virt.Supervisor.Live;

/// <summary>query-block: the root node of each drive with a medium by the image's file name, and each root's virtual size.</summary>
public static class BlockRoots
{
    public static (Dictionary<string, string> ByFile, Dictionary<string, ulong> SizeByNode) Read(JsonElement? list)
    {
        var byFile = new Dictionary<string, string>(StringComparer.Ordinal);
        var sizes = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (list is { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var drive in array.EnumerateArray())
            {
                if (!drive.TryGetProperty("inserted", out var inserted) || !inserted.TryGetProperty("node-name", out var node) || node.GetString() is not { } name)
                    continue;
                if (inserted.TryGetProperty("file", out var file) && file.GetString() is { } path)
                    byFile.TryAdd(path, name);
                if (inserted.TryGetProperty("image", out var image) && image.TryGetProperty("virtual-size", out var size) && size.TryGetUInt64(out var bytes))
                    sizes.TryAdd(name, bytes);
            }
        }
        return (byFile, sizes);
    }
}
