using System.Text.Json.Nodes;
using Microsoft.Win32.SafeHandles;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Native;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>
/// A new client of a running domain's VNC or SPICE server on a socket pair, as libvirt's qemuDomainOpenGraphicsFD makes
/// one: QEMU gets one end (getfd, then add_client) and the caller the other, so no display port is ever connected to.
/// </summary>
public static class GraphicsClients
{
    /// <summary>The name QEMU files the descriptor under between getfd and add_client: libvirt's.</summary>
    public const string FdName = "graphicsfd";

    /// <summary>The add_client protocol of the domain's <paramref name="index"/>-th &lt;graphics&gt;, with libvirt's errors.</summary>
    public static string Protocol(DomainDefinition live, uint index)
    {
        var graphics = live.Devices.Graphics;
        if (index >= graphics.Count)
            throw new VirtException(ErrorCode.InternalError, $"No graphics backend with index {index}");
        return graphics[(int)index].Type switch
        {
            "vnc" => "vnc",
            "spice" => "spice",
            var other => throw new VirtException(ErrorCode.ConfigUnsupported, $"Can only open VNC, SPICE or D-Bus p2p graphics backends, not {other}"),
        };
    }

    /// <summary>
    /// Connects a new client of <paramref name="protocol"/>'s server and returns the client's end. No descriptor outlives
    /// a failure: both ends are closed, and one QEMU took is closed there too (closefd), as libvirt does.
    /// </summary>
    public static async Task<SafeFileHandle> OpenAsync(QmpClient qmp, string protocol, bool skipAuth, TimeSpan timeout, CancellationToken ct = default)
    {
        var (client, server) = FdPassing.SocketPair();
        try
        {
            using (server)
            {
                // QEMU keeps its own copy once getfd succeeded; ours closes either way.
                await qmp.ExecuteWithFdAsync("getfd", new JsonObject { ["fdname"] = FdName }, server, timeout, ct).ConfigureAwait(false);
            }
            try
            {
                await qmp.ExecuteAsync("add_client", new JsonObject
                {
                    ["protocol"] = protocol,
                    ["fdname"] = FdName,
                    ["skipauth"] = skipAuth,
                    ["tls"] = false,
                }, timeout, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is QmpCommandException or QmpTimeoutException)
            {
                await CloseInQemuAsync(qmp, timeout).ConfigureAwait(false);
                throw;
            }
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task CloseInQemuAsync(QmpClient qmp, TimeSpan timeout)
    {
        try
        {
            await qmp.ExecuteAsync("closefd", new JsonObject { ["fdname"] = FdName }, timeout).ConfigureAwait(false);
        }
        catch (VirtException)
        {
            // Already gone (add_client took it before failing) or the monitor is down: nothing is left to close.
        }
    }
}
