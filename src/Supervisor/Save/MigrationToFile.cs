using System.Net.Sockets;
using System.Text.Json;
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

    /// <summary>Appends the paused guest's state to the image; returns when QEMU says the migration completed and all of it is on disk.</summary>
    public static async Task SaveAsync(QmpClient qmp, string imagePath, string socketPath, TimeSpan commandTimeout, CancellationToken ct)
    {
        File.Delete(socketPath);
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(1);
        try
        {
            var accepted = listener.AcceptAsync(ct).AsTask();
            await qmp.ExecuteAsync("migrate", new { uri = "unix:" + socketPath }, commandTimeout, ct).ConfigureAwait(false);
            var copy = CopyToImageAsync(accepted, imagePath, ct);
            await WaitAsync(qmp, commandTimeout, ct).ConfigureAwait(false);
            await copy.WaitAsync(commandTimeout, ct).ConfigureAwait(false); // QEMU closes the stream when it completes
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    private static async Task CopyToImageAsync(Task<Socket> accepted, string imagePath, CancellationToken ct)
    {
        using var connection = await accepted.ConfigureAwait(false);
        await using var stream = new NetworkStream(connection, ownsSocket: false);
        await using var image = new FileStream(imagePath, FileMode.Append, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await stream.CopyToAsync(image, 1 << 16, ct).ConfigureAwait(false);
        image.Flush(flushToDisk: true);
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
                await WaitAsync(qmp, commandTimeout, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(socketPath);
        }
    }

    /// <summary>Polls query-migrate until it completed, or fails with QEMU's error-desc.</summary>
    private static async Task WaitAsync(QmpClient qmp, TimeSpan commandTimeout, CancellationToken ct)
    {
        while (true)
        {
            var reply = await qmp.ExecuteAsync("query-migrate", null, commandTimeout, ct).ConfigureAwait(false);
            var status = reply.TryGetProperty("status", out var s) ? s.GetString() : null;
            switch (status)
            {
                case "completed":
                    return;
                case "failed" or "cancelled":
                    var why = reply.TryGetProperty("error-desc", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : status;
                    throw new VirtException(ErrorCode.OperationFailed, $"migration of the guest's state {status}: {why}");
            }
            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }
}
