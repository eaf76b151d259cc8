using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Layout;

/// <summary>
/// The virtio-serial port of each virtio channel without one, as libvirt numbers them: on controller 0, bus 0, the
/// lowest port from 1 that no written address takes (port 0 is a console's).
/// </summary>
internal static class VirtioSerialPorts
{
    private const int MaxPorts = 31;

    public static DomainDefinition Apply(DomainDefinition def)
    {
        var channels = def.Devices.Channels;
        if (channels.Count == 0)
            return def;
        var taken = new HashSet<(int Controller, int Bus, int Port)>();
        foreach (var channel in channels)
        {
            if (channel.Address is { Type: "virtio-serial" } a && a["port"] is not null && !taken.Add(Of(a)))
                throw new VirtException(ErrorCode.ConfigUnsupported, $"virtio-serial port {a["port"]} of controller {a["controller"] ?? "0"} is used twice");
        }
        var assigned = channels.Select(c =>
        {
            if (c.Address is { Type: "virtio-serial" } a && a["port"] is not null)
                return c;
            var controller = c.Address?["controller"] is { } written ? int.Parse(written, CultureInfo.InvariantCulture) : 0;
            var port = Enumerable.Range(1, MaxPorts).FirstOrDefault(p => !taken.Contains((controller, 0, p)));
            if (port == 0)
                throw new VirtException(ErrorCode.ConfigUnsupported, $"no free port left on virtio-serial controller {controller}");
            taken.Add((controller, 0, port));
            return c with
            {
                Address = new DeviceAddress
                {
                    Type = "virtio-serial",
                    Attributes = [new("controller", controller.ToString(CultureInfo.InvariantCulture)), new("bus", "0"), new("port", port.ToString(CultureInfo.InvariantCulture))],
                },
            };
        }).ToList();
        return def with { Devices = def.Devices with { Channels = assigned } };
    }

    private static (int, int, int) Of(DeviceAddress a) =>
        (Number(a["controller"]), Number(a["bus"]), Number(a["port"]));

    private static int Number(string? text) =>
        text is null ? 0 : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new VirtException(ErrorCode.XmlError, $"<address type='virtio-serial'> value '{text}' is not a number");
}
