using System.Text.Json;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.Save;

namespace Virt.Supervisor.Migration;

/// <summary>
/// QEMU's own migration stream from one QEMU to another over TCP: the destination, started with -incoming defer, listens
/// (migrate-incoming); the source sends (migrate) and stops its vCPUs at the switch-over; the destination's vCPUs run
/// once the daemon says cont.
/// </summary>
public static class LiveMigration
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);

    /// <summary>The destination listens on <paramref name="uri"/> (tcp:HOST:PORT) for the source's stream.</summary>
    public static Task ListenAsync(QmpClient qmp, string uri, TimeSpan commandTimeout, CancellationToken ct) =>
        qmp.ExecuteAsync("migrate-incoming", new { uri }, commandTimeout, ct);

    /// <summary>Sends the guest to <paramref name="uri"/>; returns QEMU's last query-migrate answer once it completed (the source then paused).</summary>
    public static async Task<JsonElement> SendAsync(QmpClient qmp, string uri, TimeSpan commandTimeout, CancellationToken abort)
    {
        await qmp.ExecuteAsync("migrate", new { uri }, commandTimeout, abort).ConfigureAwait(false);
        return await MigrationToFile.WaitAsync(qmp, "migration out", commandTimeout, abort).ConfigureAwait(false);
    }

    /// <summary>Waits on the destination until the incoming stream is all loaded (query-migrate completed), or fails with QEMU's reason.</summary>
    public static async Task WaitIncomingAsync(QmpClient qmp, TimeSpan commandTimeout, TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var reply = await qmp.ExecuteAsync("query-migrate", null, commandTimeout, ct).ConfigureAwait(false);
            var status = reply.TryGetProperty("status", out var s) ? s.GetString() : null;
            if (status == "completed")
                return;
            if (status is "failed" or "cancelled")
                throw new Protocol.Errors.VirtException(Protocol.Errors.ErrorCode.OperationFailed, $"the incoming migration {status}");
            if (DateTime.UtcNow > deadline)
                throw new Protocol.Errors.VirtException(Protocol.Errors.ErrorCode.OperationTimeout,
                    $"the incoming migration did not complete within {limit.TotalSeconds:0} s (QEMU says {status ?? "nothing"})");
            await Task.Delay(Poll, ct).ConfigureAwait(false);
        }
    }
}
