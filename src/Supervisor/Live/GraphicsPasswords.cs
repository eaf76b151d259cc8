using System.Globalization;
using System.Text.Json.Nodes;
using Virt.Protocol.Domains;
using Virt.Supervisor.Qmp;

namespace Virt.Supervisor.Live;

/// <summary>
/// The VNC and SPICE passwords of a definition, handed to QEMU over its monitor before the guest runs (QEMU was told
/// only that a password is needed), so they never appear in QEMU's command line, its log or /proc.
/// </summary>
public static class GraphicsPasswords
{
    public static async Task SetAsync(QmpClient qmp, DomainDefinition live, TimeSpan timeout, CancellationToken ct)
    {
        foreach (var g in live.Devices.Graphics)
        {
            if (g.Password is null || g.Listens.FirstOrDefault()?.Type == "none")
                continue;
            var protocol = g.Type == "spice" ? "spice" : "vnc";
            await qmp.ExecuteAsync("set_password", new JsonObject { ["protocol"] = protocol, ["password"] = g.Password }, timeout, ct).ConfigureAwait(false);
            await qmp.ExecuteAsync("expire_password", new JsonObject { ["protocol"] = protocol, ["time"] = ExpiryTime(g.PasswordValidTo) }, timeout, ct)
                .ConfigureAwait(false);
        }
    }

    /// <summary>QEMU's expire_password time: never, or the UTC moment as seconds since the epoch.</summary>
    public static string ExpiryTime(string? validTo) =>
        validTo is null
            ? "never"
            : (GraphicsDevice.ParseValidTo(validTo) ?? throw new FormatException($"passwdValidTo '{validTo}' is not YYYY-MM-DDTHH:MM:SS"))
                .ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
}
