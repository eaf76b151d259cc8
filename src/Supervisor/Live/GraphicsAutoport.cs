using System.Globalization;
using System.Text.Json;
using Virt.Protocol.Domains;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>
/// With autoport the port is chosen at start (by QEMU for VNC, by the argv builder for SPICE); the live definition
/// records the port the guest's display really took, as libvirt's live XML does (port='5901' autoport='yes'), so
/// vncdisplay, domdisplay and clients can find it.
/// </summary>
public static class GraphicsAutoport
{
    /// <summary>The definition with the listening ports filled in; the same definition when nothing was auto-allocated.</summary>
    public static async Task<DomainDefinition> ResolveAsync(QmpClient qmp, DomainDefinition live, TimeSpan timeout, CancellationToken ct)
    {
        var graphics = live.Devices.Graphics.ToArray();
        var changed = false;
        for (var i = 0; i < graphics.Length; i++)
        {
            if (!IsAutoAllocated(graphics[i]))
                continue;
            var (command, field) = graphics[i].Type == "spice" ? ("query-spice", "port") : ("query-vnc", "service");
            var reply = await qmp.ExecuteAsync(command, null, timeout, ct).ConfigureAwait(false);
            if (!reply.TryGetProperty("enabled", out var enabled) || enabled.ValueKind != JsonValueKind.True
                || !reply.TryGetProperty(field, out var value) || Port(value) is not { } port)
                continue;
            graphics[i] = graphics[i] with { Port = port, AutoPort = true };
            changed = true;
        }
        return changed ? live with { Devices = live.Devices with { Graphics = graphics } } : live;
    }

    private static int? Port(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt32(out var n) => n,
        JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    // The same rule the argv builder follows: autoport, or no fixed port, on a TCP listener.
    private static bool IsAutoAllocated(GraphicsDevice g) =>
        g.Type is "vnc" or "spice" && g.Socket is null && g.Listens.FirstOrDefault()?.Type is not ("none" or "socket")
        && (g.AutoPort ?? g.Port is null or -1);
}
