using System.Text.Json;
using System.Text.Json.Nodes;
using Virt.Protocol.Errors;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>One disk's overlay: the image it runs on now (its top node's file), the new qcow2 file, whether that file is the caller's (--reuse-external).</summary>
public sealed record OverlayRequest(string Current, string CurrentFormat, string Overlay, bool Reuse);

/// <summary>
/// External disk snapshots of a running QEMU, as libvirt takes them with -blockdev: each overlay is created through
/// blockdev-create (backing file the current image) and added as a node with no backing, then one transaction of
/// blockdev-snapshot puts every overlay on top of its disk at once, or none. A failure takes back the nodes and the
/// files this made.
/// </summary>
public static class DiskOverlays
{
    private static readonly TimeSpan JobPoll = TimeSpan.FromMilliseconds(20);

    /// <param name="nodePrefix">Unique in this QEMU; node names are PREFIX-N-storage and PREFIX-N-format.</param>
    public static async Task TakeAsync(QmpClient qmp, IReadOnlyList<OverlayRequest> disks, string nodePrefix, TimeSpan timeout)
    {
        var (byFile, sizes) = BlockRoots.Read(await qmp.ExecuteAsync("query-block", null, timeout).ConfigureAwait(false));
        var tops = disks.Select(d => byFile.TryGetValue(d.Current, out var node) ? node
            : throw new VirtException(ErrorCode.OperationFailed, $"QEMU has no drive open on '{d.Current}'")).ToList();
        var added = new List<string>();
        var created = new List<string>();
        try
        {
            var actions = new JsonArray();
            for (var i = 0; i < disks.Count; i++)
            {
                var disk = disks[i];
                var storage = $"{nodePrefix}-{i}-storage";
                var format = $"{nodePrefix}-{i}-format";
                if (!disk.Reuse)
                {
                    // Made here, as libvirt pre-creates it: QEMU's blockdev-create then writes the qcow2 header into it.
                    using (File.Open(disk.Overlay, FileMode.CreateNew, FileAccess.Write))
                        created.Add(disk.Overlay);
                }
                await qmp.ExecuteAsync("blockdev-add", new JsonObject { ["driver"] = "file", ["filename"] = disk.Overlay, ["node-name"] = storage }, timeout).ConfigureAwait(false);
                added.Add(storage);
                if (!disk.Reuse)
                {
                    var size = sizes.TryGetValue(tops[i], out var bytes) ? bytes
                        : throw new VirtException(ErrorCode.OperationFailed, $"QEMU does not say the size of '{disk.Current}'");
                    await CreateQcow2Async(qmp, $"{nodePrefix}-{i}-create", storage, size, disk, timeout).ConfigureAwait(false);
                }
                await qmp.ExecuteAsync("blockdev-add", new JsonObject
                {
                    ["driver"] = "qcow2",
                    ["node-name"] = format,
                    ["file"] = storage,
                    ["backing"] = null,
                }, timeout).ConfigureAwait(false);
                added.Add(format);
                actions.Add(new JsonObject { ["type"] = "blockdev-snapshot", ["data"] = new JsonObject { ["node"] = tops[i], ["overlay"] = format } });
            }
            await qmp.ExecuteAsync("transaction", new JsonObject { ["actions"] = actions }, timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is VirtException or IOException or UnauthorizedAccessException)
        {
            for (var i = added.Count - 1; i >= 0; i--)
            {
                try { await qmp.ExecuteAsync("blockdev-del", new JsonObject { ["node-name"] = added[i] }, timeout).ConfigureAwait(false); }
                catch (VirtException) { } // QEMU is going, or never had it
            }
            foreach (var file in created)
                File.Delete(file);
            throw e is VirtException ? e : new VirtException(ErrorCode.OperationFailed, $"cannot create the overlay: {e.Message}", e);
        }
    }

    /// <summary>blockdev-create is a job: it is waited for (query-jobs), its error read, and it is dismissed.</summary>
    private static async Task CreateQcow2Async(QmpClient qmp, string jobId, string storage, ulong size, OverlayRequest disk, TimeSpan timeout)
    {
        await qmp.ExecuteAsync("blockdev-create", new JsonObject
        {
            ["job-id"] = jobId,
            ["options"] = new JsonObject
            {
                ["driver"] = "qcow2",
                ["file"] = storage,
                ["size"] = size,
                ["backing-file"] = disk.Current,
                ["backing-fmt"] = disk.CurrentFormat,
            },
        }, timeout).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var job = (await qmp.ExecuteAsync("query-jobs", null, timeout).ConfigureAwait(false)).EnumerateArray()
                .FirstOrDefault(j => j.GetProperty("id").GetString() == jobId);
            if (job.ValueKind != JsonValueKind.Object)
                throw new VirtException(ErrorCode.OperationFailed, $"QEMU lost the job creating '{disk.Overlay}'");
            if (job.GetProperty("status").GetString() == "concluded")
            {
                var error = job.TryGetProperty("error", out var e) ? e.GetString() : null;
                await qmp.ExecuteAsync("job-dismiss", new JsonObject { ["id"] = jobId }, timeout).ConfigureAwait(false);
                if (error is not null)
                    throw new VirtException(ErrorCode.OperationFailed, $"cannot create '{disk.Overlay}': {error}");
                return;
            }
            if (DateTime.UtcNow > deadline)
                throw new VirtException(ErrorCode.OperationTimeout, $"creating '{disk.Overlay}' did not finish in time");
            await Task.Delay(JobPoll).ConfigureAwait(false);
        }
    }
}
