using System.Text.Json;
using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>
/// A virtio disk plugged into a running QEMU (blockdev-add of its storage and format nodes, then device_add) and the
/// nodes of an unplugged one removed. A plug that fails half way takes back what it added.
/// </summary>
public static class DiskHotplug
{
    private static readonly HashSet<string> Formats = ["raw", "qcow2"];

    /// <param name="nodePrefix">Unique in this QEMU (the nodes of the disks it started with are libvirt-N-*).</param>
    public static async Task AttachAsync(QmpClient qmp, DiskDevice disk, string deviceId, string nodePrefix, TimeSpan timeout)
    {
        var format = disk.DriverType is null or "iso" ? "raw" : disk.DriverType;
        if (!Formats.Contains(format))
            throw new VirtException(ErrorCode.ConfigUnsupported, $"disk '{disk.TargetDev}': hot-plug takes raw or qcow2 images, not {format}");
        var readOnly = disk.ReadOnly;
        var storage = nodePrefix + "-storage";
        var top = format == "raw" ? storage : nodePrefix + "-format";
        var added = new List<string>();
        try
        {
            await qmp.ExecuteAsync("blockdev-add", new JsonObject
            {
                ["driver"] = "file",
                ["filename"] = disk.SourcePath,
                ["node-name"] = storage,
                ["read-only"] = readOnly,
            }, timeout).ConfigureAwait(false);
            added.Add(storage);
            if (top != storage)
            {
                await qmp.ExecuteAsync("blockdev-add", new JsonObject
                {
                    ["node-name"] = top,
                    ["read-only"] = readOnly,
                    ["driver"] = format,
                    ["file"] = storage,
                }, timeout).ConfigureAwait(false);
                added.Add(top);
            }
            await qmp.ExecuteAsync("device_add", new JsonObject { ["driver"] = "virtio-blk-pci", ["drive"] = top, ["id"] = deviceId }, timeout).ConfigureAwait(false);
        }
        catch
        {
            for (var i = added.Count - 1; i >= 0; i--)
            {
                try { await qmp.ExecuteAsync("blockdev-del", new JsonObject { ["node-name"] = added[i] }, timeout).ConfigureAwait(false); }
                catch (VirtException) { }
            }
            throw;
        }
    }

    /// <summary>After the guest let the device go: the named nodes of its image, the format node before the file node.</summary>
    public static async Task DeleteNodesAsync(QmpClient qmp, string path, TimeSpan timeout)
    {
        JsonElement nodes;
        try
        {
            nodes = await qmp.ExecuteAsync("query-named-block-nodes", new JsonObject { ["flat"] = true }, timeout).ConfigureAwait(false);
        }
        catch (VirtException)
        {
            return; // QEMU is going: its nodes go with it
        }
        var ours = nodes.EnumerateArray()
            .Where(n => n.TryGetProperty("file", out var f) && f.GetString() == path && n.TryGetProperty("node-name", out _))
            .OrderBy(n => n.GetProperty("drv").GetString() == "file" ? 1 : 0)
            .Select(n => n.GetProperty("node-name").GetString()!)
            .ToList();
        foreach (var node in ours)
        {
            try { await qmp.ExecuteAsync("blockdev-del", new JsonObject { ["node-name"] = node }, timeout).ConfigureAwait(false); }
            catch (VirtException) { } // still in use by another node: it goes with it
        }
    }

    /// <summary>The device a DEVICE_DELETED event names (its id), or null.</summary>
    public static string? DeletedDevice(JsonElement data) =>
        data.ValueKind == JsonValueKind.Object && data.TryGetProperty("device", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
}
