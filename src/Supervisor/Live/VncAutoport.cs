using System.Globalization;
using System.Text.Json;
using Virt.Protocol.Domains;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>
/// With autoport QEMU picks the VNC display itself; the live definition records the port it took, as libvirt's
/// live XML does (port='5901' autoport='yes'), so vncdisplay and clients can find it.
/// </summary>
public static class VncAutoport
{
    /// <summary>The definition with the listening port filled in; the same definition when nothing was auto-allocated.</summary>
    public static async Task<DomainDefinition> ResolveAsync(QmpClient qmp, DomainDefinition live, TimeSpan timeout, CancellationToken ct)
    {
        var graphics = live.Devices.Graphics;
        var index = graphics.ToList().FindIndex(IsAutoAllocated);
        if (index < 0)
            return live;
        var reply = await qmp.ExecuteAsync("query-vnc", null, timeout, ct).ConfigureAwait(false);
        if (!reply.TryGetProperty("enabled", out var enabled) || enabled.ValueKind != JsonValueKind.True
            || !reply.TryGetProperty("service", out var service)
            || !int.TryParse(service.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            return live;
        var updated = graphics.ToArray();
        updated[index] = graphics[index] with { Port = port, AutoPort = true };
        return live with { Devices = live.Devices with { Graphics = updated } };
    }

    // The same rule the argv builder follows: autoport, or no fixed port, on a TCP listener.
    private static bool IsAutoAllocated(GraphicsDevice g) =>
        g.Type == "vnc" && g.Socket is null && g.Listens.FirstOrDefault()?.Type is not ("none" or "socket")
        && (g.AutoPort ?? g.Port is null or -1);
}
