using System.Text.Json;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Storage;

/// <summary>A disk's backing chain, top first: from qemu-img for a shut-off domain, from query-block for a running one.</summary>
public static class ImageChains
{
    public static async Task<IReadOnlyList<ImageLayer>> ReadAsync(string image, CancellationToken ct)
    {
        var json = await QemuImg.RunAsync(["info", "--output=json", "--backing-chain", image], ct).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(json);
            return [.. document.RootElement.EnumerateArray().Select(Layer)];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot read the backing chain of '{image}' from qemu-img: {e.Message}", e);
        }
    }

    /// <summary>Each drive with a medium, by the file its top image is: its chain from query-block's nested backing-image.</summary>
    public static Dictionary<string, IReadOnlyList<ImageLayer>> FromQueryBlock(JsonElement? list)
    {
        var chains = new Dictionary<string, IReadOnlyList<ImageLayer>>(StringComparer.Ordinal);
        if (list is not { ValueKind: JsonValueKind.Array } array)
            return chains;
        foreach (var drive in array.EnumerateArray())
        {
            if (!drive.TryGetProperty("inserted", out var inserted) || !inserted.TryGetProperty("image", out var image)
                || !inserted.TryGetProperty("file", out var file) || file.GetString() is not { } top)
                continue;
            var layers = new List<ImageLayer>();
            for (var info = image; info.ValueKind == JsonValueKind.Object; info = info.TryGetProperty("backing-image", out var next) ? next : default)
                layers.Add(Layer(info));
            chains.TryAdd(top, layers);
        }
        return chains;
    }

    private static ImageLayer Layer(JsonElement info) =>
        new(info.GetProperty("filename").GetString() ?? "", info.GetProperty("format").GetString() ?? "raw");
}
