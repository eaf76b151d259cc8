using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Layout;

/// <summary>
/// Gives every USB device a port as libvirt does: each USB bus has its controller's ports (UHCI 2, EHCI 6, xHCI 4 or
/// its ports=), hubs add 8; when the devices outnumber the ports, hubs are added first. Written ports are kept;
/// then hubs take theirs, then disks, inputs and serial ports, each the first free port on the first bus that has
/// one, a port on a hub written as "1.2".
/// </summary>
internal static class UsbLayout
{
    private const int HubPorts = 8;
    private const int MaxDepth = 4;

    /// <summary>One hub's ports: null when free, a child hub or a plain device when taken.</summary>
    private sealed class Hub(int ports)
    {
        public object?[] Ports { get; } = new object?[ports];
    }

    private static readonly object Device = new();

    public static DomainDefinition Apply(DomainDefinition def)
    {
        var d = def.Devices;
        var usbDisks = d.Disks.Count(k => k.TargetBus == DiskBus.Usb);
        var usbInputs = d.Inputs.Count(i => i.Bus == "usb");
        var usbSerials = d.Serials.Count(IsUsbSerial);
        var usbSounds = d.Sounds.Count(x => x.Model == "usb");
        var count = d.Hubs.Count + usbDisks + usbInputs + usbSerials + usbSounds + d.Redirdevs.Count;
        if (count == 0)
            return def;

        var buses = new Dictionary<int, Hub>();
        foreach (var c in d.Controllers.Where(c => c.Type == "usb"))
        {
            var ports = PortsOf(c);
            if (ports > 0)
                buses[c.Index] = new Hub(ports);
        }
        if (buses.Count == 0)
            throw new VirtException(ErrorCode.ConfigUnsupported, "USB is disabled for this domain (<controller type='usb' model='none'>), but it has USB devices");

        var hubs = d.Hubs.ToList();
        var available = buses.Values.Sum(b => b.Ports.Length) + hubs.Count * HubPorts;
        if (count > available)
        {
            var needed = (count - available + 1 + HubPorts - 2) / (HubPorts - 1);
            for (var i = 0; i < needed; i++)
                hubs.Add(new HubDevice());
        }

        // Written ports first, hubs before what plugs into them.
        foreach (var hub in hubs)
        {
            if (Written(hub.Address) is { } at)
                Take(buses, at, new Hub(HubPorts), "<hub>");
        }
        foreach (var address in d.Disks.Select(k => k.Address).Concat(d.Inputs.Select(i => i.Address)).Concat(d.Serials.Select(s => s.Address)).Concat(d.Sounds.Select(x => x.Address)).Concat(d.Redirdevs.Select(r => r.Address)))
        {
            if (Written(address) is { } at)
                Take(buses, at, Device, "a USB device");
        }

        var assignedHubs = hubs.Select(h => h.Address is not null && Written(h.Address) is not null ? h : h with { Address = Assign(buses, new Hub(HubPorts)) }).ToList();
        var disks = d.Disks.Select(k => k.TargetBus == DiskBus.Usb && Written(k.Address) is null ? k with { Address = Assign(buses, Device, k.Address) } : k).ToList();
        var inputs = d.Inputs.Select(i => i.Bus == "usb" && Written(i.Address) is null ? i with { Address = Assign(buses, Device, i.Address) } : i).ToList();
        var serials = d.Serials.Select(s => IsUsbSerial(s) && Written(s.Address) is null ? s with { Address = Assign(buses, Device, s.Address) } : s).ToList();
        var sounds = d.Sounds.Select(x => x.Model == "usb" && Written(x.Address) is null ? x with { Address = Assign(buses, Device, x.Address) } : x).ToList();
        var redirdevs = d.Redirdevs.Select(r => Written(r.Address) is null ? r with { Address = Assign(buses, Device, r.Address) } : r).ToList();
        return def with { Devices = d with { Hubs = assignedHubs, Disks = disks, Inputs = inputs, Serials = serials, Sounds = sounds, Redirdevs = redirdevs } };
    }

    private static bool IsUsbSerial(CharDevice s) => (s.TargetModel ?? s.TargetType) is "usb-serial";

    /// <summary>libvirt's port counts per controller model; a UHCI companion adds none (its EHCI counts).</summary>
    private static int PortsOf(ControllerDevice c) => c.Model switch
    {
        "piix3-uhci" or "piix4-uhci" or "vt82c686b-uhci" or null => 2,
        "ehci" or "ich9-ehci1" => 6,
        "pci-ohci" => 3,
        "qemu-xhci" or "nec-xhci" => c.Ports ?? 4,
        _ => 0,
    };

    /// <summary>A written USB address with a port: its bus and port path; null for none, or one that leaves the port to us.</summary>
    private static (int Bus, int[] Path)? Written(DeviceAddress? address)
    {
        if (address is not { Type: "usb" } || address["port"] is not { Length: > 0 } port)
            return null;
        var bus = int.TryParse(address["bus"] ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b
            : throw new VirtException(ErrorCode.XmlError, $"<address type='usb' bus='{address["bus"]}'> is not a bus number");
        var path = port.Split('.').Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n
            : throw new VirtException(ErrorCode.XmlError, $"<address type='usb' port='{port}'> is not a port such as 1 or 1.2")).ToArray();
        if (path.Length > MaxDepth)
            throw new VirtException(ErrorCode.ConfigUnsupported, $"<address type='usb' port='{port}'> is more than {MaxDepth} hubs deep");
        return (bus, path);
    }

    private static void Take(Dictionary<int, Hub> buses, (int Bus, int[] Path) at, object what, string description)
    {
        if (!buses.TryGetValue(at.Bus, out var hub))
            throw new VirtException(ErrorCode.XmlError, $"USB bus {at.Bus} requested but no controller with that index is present");
        for (var level = 0; level < at.Path.Length; level++)
        {
            var port = at.Path[level];
            if (port > hub.Ports.Length)
                throw new VirtException(ErrorCode.ConfigUnsupported, $"{description}: USB port {string.Join('.', at.Path)} does not exist on bus {at.Bus}");
            if (level == at.Path.Length - 1)
            {
                if (hub.Ports[port - 1] is not null)
                    throw new VirtException(ErrorCode.ConfigUnsupported, $"{description}: USB port {string.Join('.', at.Path)} on bus {at.Bus} is already in use");
                hub.Ports[port - 1] = what;
                return;
            }
            hub = hub.Ports[port - 1] as Hub
                ?? throw new VirtException(ErrorCode.ConfigUnsupported, $"{description}: USB port {string.Join('.', at.Path[..(level + 1)])} on bus {at.Bus} is not a hub");
        }
    }

    /// <summary>The first free port of the first bus that has one (a bus the address names, if it names one).</summary>
    private static DeviceAddress Assign(Dictionary<int, Hub> buses, object what, DeviceAddress? partial = null)
    {
        var only = partial is { Type: "usb" } && partial["bus"] is { } b && int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        foreach (var (index, hub) in buses.OrderBy(p => p.Key))
        {
            if (only is { } wanted && index != wanted)
                continue;
            var path = new int[MaxDepth];
            if (FindFree(hub, path, 0) is { } depth)
            {
                var ports = path[..(depth + 1)];
                Take(buses, (index, ports), what, "a USB device");
                return new DeviceAddress
                {
                    Type = "usb",
                    Attributes = [new("bus", index.ToString(CultureInfo.InvariantCulture)), new("port", string.Join('.', ports))],
                };
            }
        }
        throw new VirtException(ErrorCode.ConfigUnsupported, "no free USB port is left");
    }

    /// <summary>libvirt's search: a free port on this hub, else depth-first through the hubs on it.</summary>
    private static int? FindFree(Hub hub, int[] path, int level)
    {
        for (var i = 0; i < hub.Ports.Length; i++)
        {
            if (hub.Ports[i] is null)
            {
                path[level] = i + 1;
                return level;
            }
        }
        if (level >= MaxDepth - 1)
            return null;
        for (var i = 0; i < hub.Ports.Length; i++)
        {
            if (hub.Ports[i] is Hub child && FindFree(child, path, level + 1) is { } depth)
            {
                path[level] = i + 1;
                return depth;
            }
        }
        return null;
    }
}
