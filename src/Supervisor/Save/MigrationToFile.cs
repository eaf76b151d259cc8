using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Virt.Protocol.Errors;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Save;

/// <summary>
/// QEMU's migration stream to and from a save image, through a UNIX socket in the domain's runtime directory: QEMU's
/// sandbox forbids it to spawn (so no exec: transport) and 7.2 has no file: one; the daemon copies between the socket
/// and the image, after the header it wrote.
/// </summary>
public static class MigrationToFile
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>As libvirt: the target is a file, so the migration's bandwidth cap (QEMU's 128 MiB/s) is lifted.</summary>
    private const ulong UnlimitedBandwidth = long.MaxValue / (1024 * 1024) * (1024 * 1024);

    /// <summary>
    /// Appends the paused guest's state to the image; returns QEMU's last query-migrate answer once the migration
    /// completed and all of it is written. A cancel (domjobabort's migrate_cancel) ends it with OPERATION_ABORTED.
    /// </summary>
    public static async Task<JsonElement> SaveAsync(QmpClient qmp, FileStream image, string socketPath, TimeSpan commandTimeout, CancellationToken ct)
    {
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        var parameters = await qmp.ExecuteAsync("query-migrate-parameters", null, commandTimeout, ct).ConfigureAwait(false);
        var previousBandwidth = parameters.TryGetProperty("max-bandwidth", out var b) && b.TryGetUInt64(out var v) ? v : (ulong?)null;
        await qmp.ExecuteAsync("migrate-set-parameters", new JsonObject { ["max-bandwidth"] = UnlimitedBandwidth }, commandTimeout, ct)
            .ConfigureAwait(false);
        Task? copy = null;
        try
        {
            var accepted = listener.AcceptAsync(ct).AsTask();
            ct.ThrowIfCancellationRequested();
            await qmp.ExecuteAsync("migrate", new { uri = "unix:" + socketPath }, commandTimeout, ct).ConfigureAwait(false);
            copy = CopyToImageAsync(accepted, image, ct);
            var final = await WaitAsync(qmp, "domain save", commandTimeout, ct).ConfigureAwait(false);
            await copy.WaitAsync(commandTimeout, ct).ConfigureAwait(false); // QEMU closes the stream when it completes
            return final;
        }
        catch
        {
            // The guest runs on: give it back its cap. A copy still blocked on a FIFO nobody reads ends when its reader goes.
            _ = copy?.ContinueWith(t => t.Exception, TaskScheduler.Default);
            if (previousBandwidth is { } cap)
                await qmp.ExecuteAsync("migrate-set-parameters", new JsonObject { ["max-bandwidth"] = cap }, commandTimeout, CancellationToken.None)
                    .ConfigureAwait(false);
            throw;
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    private static async Task CopyToImageAsync(Task<Socket> accepted, FileStream image, CancellationToken ct)
    {
        using var connection = await accepted.ConfigureAwait(false);
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        await stream.CopyToAsync(image, 1 << 16, ct).ConfigureAwait(false);
        image.Flush(flushToDisk: true); // a FIFO or device cannot be synced; .NET ignores that for them
    }

    /// <summary>Loads the state into a QEMU started with -incoming defer; the guest is left paused.</summary>
    public static async Task RestoreAsync(QmpClient qmp, SaveImage image, string imagePath, string socketPath, TimeSpan commandTimeout, CancellationToken ct)
    {
        File.Delete(socketPath);
        await qmp.ExecuteAsync("migrate-incoming", new { uri = "unix:" + socketPath }, commandTimeout, ct).ConfigureAwait(false);
        try
        {
            using (var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            {
                await connection.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
                await using (var stream = new NetworkStream(connection, ownsSocket: false))
                await using (var file = new FileStream(imagePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
                {
                    file.Seek(image.StreamOffset, SeekOrigin.Begin);
                    await file.CopyToAsync(stream, 1 << 16, ct).ConfigureAwait(false);
                }
                connection.Shutdown(SocketShutdown.Send);
                await WaitAsync(qmp, "restore", commandTimeout, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    /// <summary>Polls query-migrate until it completed (its answer returned), or fails with QEMU's error-desc.</summary>
    internal static async Task<JsonElement> WaitAsync(QmpClient qmp, string job, TimeSpan commandTimeout, CancellationToken ct)
    {
        while (true)
        {
            var reply = await qmp.ExecuteAsync("query-migrate", null, commandTimeout, ct).ConfigureAwait(false);
            var status = reply.TryGetProperty("status", out var s) ? s.GetString() : null;
            switch (status)
            {
                case "completed":
                    return reply;
                case "cancelled":
                    throw new VirtException(ErrorCode.OperationAborted, $"job '{job}' canceled by client");
                case "failed":
                    var why = reply.TryGetProperty("error-desc", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : status;
                    throw new VirtException(ErrorCode.OperationFailed, $"migration of the guest's state {status}: {why}");
            }
            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }
}
