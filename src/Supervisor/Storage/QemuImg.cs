using System.Diagnostics;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Storage;

/// <summary>qemu-img (qemu-utils) run to its end, bounded to two minutes; a failure carries its stderr.</summary>
public static class QemuImg
{
    /// <summary>Runs qemu-img; its standard output.</summary>
    public static async Task<string> RunAsync(IReadOnlyList<string> args, CancellationToken ct)
    {
        var info = new ProcessStartInfo("qemu-img") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new VirtException(ErrorCode.OperationFailed, "cannot run qemu-img");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new VirtException(ErrorCode.OperationFailed, $"cannot run qemu-img (qemu-utils): {e.Message}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new VirtException(ErrorCode.OperationTimeout, $"qemu-img {string.Join(' ', args)} did not finish in time");
            }
            if (process.ExitCode != 0)
                throw new VirtException(ErrorCode.OperationFailed, $"qemu-img {args[0]} failed: {(await stderr.ConfigureAwait(false)).Trim()}");
            return await stdout.ConfigureAwait(false);
        }
    }

    /// <summary>An internal snapshot of each image: taken (-c), applied (-a) or deleted (-d), as for a shut-off domain.</summary>
    public static async Task SnapshotAsync(char action, string name, IEnumerable<string> images, CancellationToken ct)
    {
        foreach (var image in images)
            await RunAsync(["snapshot", $"-{action}", name, image], ct).ConfigureAwait(false);
    }

    /// <summary>A qcow2 overlay on <paramref name="backing"/> (of format <paramref name="backingFormat"/>), as libvirt makes one for a shut-off domain.</summary>
    public static Task CreateOverlayAsync(string overlay, string backing, string backingFormat, CancellationToken ct) =>
        RunAsync(["create", "-f", "qcow2", "-b", backing, "-F", backingFormat, overlay], ct);

    /// <summary>The data of qcow2 <paramref name="overlay"/> written into <paramref name="backing"/>, an image of its chain.</summary>
    public static Task CommitAsync(string overlay, string backing, CancellationToken ct) =>
        RunAsync(["commit", "-q", "-f", "qcow2", "-b", backing, overlay], ct);

    /// <summary>Only the header of qcow2 <paramref name="image"/> pointed at another backing file, which must already hold the same data.</summary>
    public static Task RebaseUnsafeAsync(string image, string backing, string backingFormat, CancellationToken ct) =>
        RunAsync(["rebase", "-u", "-f", "qcow2", "-b", backing, "-F", backingFormat, image], ct);
}
