using Virt.Protocol.Errors;

namespace Virt.Supervisor.Storage;

/// <summary>
/// Overlays of a shut-off domain merged with qemu-img: commit into the image under, then (an overlay in the middle of
/// the chain) the image above pointed at that image, which now holds the same data; then the overlay file removed.
/// </summary>
public static class OfflineCommits
{
    public static async Task<CommitResult> RunAsync(IReadOnlyList<CommitRequest> commits, CancellationToken ct)
    {
        var done = new List<string>();
        var written = false;
        foreach (var commit in commits)
        {
            try
            {
                written = true;
                await QemuImg.CommitAsync(commit.Top, commit.Base.Path, ct).ConfigureAwait(false);
                if (commit.Above is { } above)
                    await QemuImg.RebaseUnsafeAsync(above, commit.Base.Path, commit.Base.Format, ct).ConfigureAwait(false);
                File.Delete(commit.Top);
                done.Add(commit.Disk);
            }
            catch (Exception e) when (e is VirtException or IOException or UnauthorizedAccessException)
            {
                var error = e as VirtException ?? new VirtException(ErrorCode.OperationFailed, $"cannot remove overlay '{commit.Top}': {e.Message}", e);
                return new CommitResult(done, error, written);
            }
        }
        return new CommitResult(done, null, written);
    }
}
