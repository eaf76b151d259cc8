using System.Text.Json;
using System.Text.Json.Nodes;
using Virt.Protocol.Errors;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.Storage;

namespace Virt.Supervisor.Live;

/// <summary>
/// Overlays of a running QEMU merged as libvirt deletes external snapshots: one block-commit job per disk (an active
/// commit for a disk's top image, finished by a pivot; an intermediate one otherwise, held before it changes the graph),
/// all started and all made ready before any is finished, so a failure up to then changes no disk's chain. Then the
/// overlays' nodes are deleted and their files removed.
/// </summary>
public static class BlockCommits
{
    private static readonly TimeSpan JobPoll = TimeSpan.FromMilliseconds(20);

    private static readonly string[] Protocols = ["file", "host_device", "host_cdrom"];

    /// <param name="jobPrefix">Unique in this QEMU; job ids are PREFIX-N.</param>
    /// <param name="limit">How long the jobs may take in all.</param>
    public static async Task<CommitResult> RunAsync(QmpClient qmp, IReadOnlyList<CommitRequest> commits, string jobPrefix, TimeSpan timeout, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        List<(CommitRequest Commit, string Root, string Top, string Base)> nodes;
        try
        {
            nodes = await ResolveAsync(qmp, commits, timeout).ConfigureAwait(false);
        }
        catch (VirtException e)
        {
            return CommitResult.Refused(e);
        }
        var started = new List<string>();
        var done = new List<string>();
        VirtException? error = null;
        try
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                var (commit, root, top, baseNode) = nodes[i];
                var id = $"{jobPrefix}-{i}";
                var arguments = new JsonObject
                {
                    ["job-id"] = id,
                    ["device"] = root,
                    ["top-node"] = top,
                    ["base-node"] = baseNode,
                    // As libvirt: an intermediate commit waits to be finalized, so no graph changes before all are ready.
                    ["auto-finalize"] = commit.Active,
                    ["auto-dismiss"] = false,
                };
                // QEMU 8.0 and later write 'raw', not 'file', as the format of a raw base opened without a format node.
                if (!commit.Active)
                    arguments["backing-mask-protocol"] = true;
                try
                {
                    await qmp.ExecuteAsync("block-commit", arguments, timeout).ConfigureAwait(false);
                }
                catch (QmpCommandException e) when (e.Description.Contains("backing-mask-protocol", StringComparison.Ordinal))
                {
                    arguments.Remove("backing-mask-protocol");
                    await qmp.ExecuteAsync("block-commit", arguments, timeout).ConfigureAwait(false);
                }
                started.Add(id);
            }
            var states = new List<string>();
            for (var i = 0; i < started.Count; i++)
            {
                var (status, failure) = await WaitAsync(qmp, started[i], ["ready", "pending", "concluded"], deadline, timeout).ConfigureAwait(false);
                if (status == "concluded")
                    throw Failed("block commit failed while deleting disk '{0}' snapshot: '{1}'", nodes[i].Commit.Disk, failure ?? "the job ended before it was ready");
                states.Add(status);
            }
            for (var i = 0; i < started.Count; i++)
            {
                await qmp.ExecuteAsync(states[i] == "ready" ? "job-complete" : "job-finalize", new JsonObject { ["id"] = started[i] }, timeout).ConfigureAwait(false);
                var (_, failure) = await WaitAsync(qmp, started[i], ["concluded"], deadline, timeout).ConfigureAwait(false);
                await qmp.ExecuteAsync("job-dismiss", new JsonObject { ["id"] = started[i] }, timeout).ConfigureAwait(false);
                if (failure is not null)
                    throw Failed("finishing block job failed while deleting disk '{0}' snapshot: '{1}'", nodes[i].Commit.Disk, failure);
                done.Add(nodes[i].Commit.Disk);
            }
        }
        catch (VirtException e)
        {
            error = e;
            await CancelAsync(qmp, started, timeout).ConfigureAwait(false);
        }
        foreach (var commit in commits.Where(c => done.Contains(c.Disk)))
        {
            await DropNodesAsync(qmp, commit.Top, timeout).ConfigureAwait(false);
            try
            {
                File.Delete(commit.Top);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error ??= new VirtException(ErrorCode.OperationFailed, $"disk '{commit.Disk}' left overlay '{commit.Top}', which cannot be removed: {e.Message}", e);
            }
        }
        return new CommitResult(done, error, started.Count > 0);
    }

    /// <summary>Each disk's root node (query-block) and the nodes of its overlay and base (query-named-block-nodes), by file.</summary>
    private static async Task<List<(CommitRequest, string, string, string)>> ResolveAsync(QmpClient qmp, IReadOnlyList<CommitRequest> commits, TimeSpan timeout)
    {
        var (roots, _) = BlockRoots.Read(await qmp.ExecuteAsync("query-block", null, timeout).ConfigureAwait(false));
        var named = await NamedNodesAsync(qmp, timeout).ConfigureAwait(false);
        var resolved = new List<(CommitRequest, string, string, string)>();
        foreach (var commit in commits)
        {
            var root = roots.TryGetValue(commit.Root, out var r) ? r
                : throw new VirtException(ErrorCode.OperationFailed, $"QEMU has no drive open on '{commit.Root}' for disk '{commit.Disk}'");
            var top = commit.Active ? root : Node(named, commit.Top, "qcow2", commit.Disk);
            resolved.Add((commit, root, top, Node(named, commit.Base.Path, commit.Base.Format, commit.Disk)));
        }
        return resolved;
    }

    /// <summary>The node of an image of the chain: its format node, or for a raw image opened without one, its file node.</summary>
    private static string Node(List<(string Name, string Driver, string File)> named, string file, string format, string disk)
    {
        var candidates = named.Where(n => n.File == file).ToList();
        return candidates.FirstOrDefault(n => n.Driver == format).Name
            ?? (format == "raw" ? candidates.FirstOrDefault(n => Protocols.Contains(n.Driver)).Name : null)
            ?? throw new VirtException(ErrorCode.OperationFailed, $"QEMU has no {format} node for '{file}' of disk '{disk}'");
    }

    private static async Task<List<(string Name, string Driver, string File)>> NamedNodesAsync(QmpClient qmp, TimeSpan timeout)
    {
        var list = await qmp.ExecuteAsync("query-named-block-nodes", new JsonObject { ["flat"] = true }, timeout).ConfigureAwait(false);
        return [.. list.EnumerateArray()
            .Where(n => n.TryGetProperty("node-name", out _) && n.TryGetProperty("drv", out _) && n.TryGetProperty("file", out _))
            .Select(n => (n.GetProperty("node-name").GetString() ?? "", n.GetProperty("drv").GetString() ?? "", n.GetProperty("file").GetString() ?? ""))];
    }

    /// <summary>Polls query-jobs until the job is in one of <paramref name="wanted"/>; its status and error.</summary>
    private static async Task<(string Status, string? Error)> WaitAsync(QmpClient qmp, string id, string[] wanted, DateTime deadline, TimeSpan timeout)
    {
        while (true)
        {
            var job = (await qmp.ExecuteAsync("query-jobs", null, timeout).ConfigureAwait(false)).EnumerateArray()
                .FirstOrDefault(j => j.GetProperty("id").GetString() == id);
            if (job.ValueKind != JsonValueKind.Object)
                throw new VirtException(ErrorCode.OperationFailed, $"QEMU lost block job '{id}'");
            var status = job.GetProperty("status").GetString() ?? "";
            if (wanted.Contains(status))
                return (status, job.TryGetProperty("error", out var e) ? e.GetString() : null);
            if (DateTime.UtcNow > deadline)
                throw new VirtException(ErrorCode.OperationTimeout, $"block job '{id}' did not finish in time");
            await Task.Delay(JobPoll).ConfigureAwait(false);
        }
    }

    /// <summary>Jobs not finished are cancelled (a disk stays on its overlay) and dismissed; QEMU may already have ended them.</summary>
    private static async Task CancelAsync(QmpClient qmp, List<string> started, TimeSpan timeout)
    {
        foreach (var id in started)
        {
            try
            {
                var job = (await qmp.ExecuteAsync("query-jobs", null, timeout).ConfigureAwait(false)).EnumerateArray()
                    .FirstOrDefault(j => j.GetProperty("id").GetString() == id);
                if (job.ValueKind != JsonValueKind.Object)
                    continue;
                if (job.GetProperty("status").GetString() != "concluded")
                {
                    await qmp.ExecuteAsync("job-cancel", new JsonObject { ["id"] = id }, timeout).ConfigureAwait(false);
                    await WaitAsync(qmp, id, ["concluded"], DateTime.UtcNow + timeout, timeout).ConfigureAwait(false);
                }
                await qmp.ExecuteAsync("job-dismiss", new JsonObject { ["id"] = id }, timeout).ConfigureAwait(false);
            }
            catch (VirtException)
            {
                // QEMU went, or ended the job itself: nothing more to take back
            }
        }
    }

    /// <summary>blockdev-del of the overlay's nodes that the monitor owns (added by a snapshot or the command line); QEMU frees the others.</summary>
    private static async Task DropNodesAsync(QmpClient qmp, string overlay, TimeSpan timeout)
    {
        try
        {
            var nodes = (await NamedNodesAsync(qmp, timeout).ConfigureAwait(false)).Where(n => n.File == overlay)
                .OrderBy(n => Protocols.Contains(n.Driver)).ToList();
            foreach (var node in nodes)
            {
                try { await qmp.ExecuteAsync("blockdev-del", new JsonObject { ["node-name"] = node.Name }, timeout).ConfigureAwait(false); }
                catch (QmpCommandException) { } // not the monitor's, or still used: QEMU lets it go with its last user
            }
        }
        catch (VirtException)
        {
            // QEMU went: its nodes went with it
        }
    }

    private static VirtException Failed(string format, string disk, string why) =>
        new(ErrorCode.InternalError, string.Format(System.Globalization.CultureInfo.InvariantCulture, format, disk, why));
}
