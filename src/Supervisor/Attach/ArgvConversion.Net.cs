using System.Globalization;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;

namespace Virt.Supervisor.Attach;

internal sealed partial class ArgvConversion
{
    /// <summary>An interface and where its option was, so -device, -nic and -net NICs keep command-line order.</summary>
    private sealed record PendingNic(int Position, InterfaceDevice Device);

    private sealed record LegacyNetPart(ArgvOption Option, QemuOptionValue Value, string Vlan);

    private readonly List<PendingNic> _interfaces = [];
    private readonly List<LegacyNetPart> _legacyNics = [];
    private readonly List<LegacyNetPart> _legacyBackends = [];

    private string DefaultNicModel => IsQ35 ? "e1000e" : "e1000";

    private static string NicModel(string driver) => driver is "virtio-net-pci" or "virtio-net" or "virtio" ? "virtio" : driver;

    private void NicDevice(ArgvOption o, QemuOptionValue v, string driver)
    {
        var id = v.Take("netdev");
        var mac = NormalizeMac(o, v.Take("mac"));
        var bootOrder = v.TakeInt("bootindex");
        var address = PciAddress(v);
        v.Ignore("id");
        if (id is null || !_netdevs.TryGetValue(id, out var backend) || v.Unused.Count > 0
            || ReadNetBackend(backend.Value, "type") is not { } nic)
        {
            PassThrough(o);
            return;
        }
        _usedBackends.Add(backend.Option);
        _interfaces.Add(new PendingNic(o.Position, nic with { Mac = mac, Model = NicModel(driver), BootOrder = bootOrder, Address = address }));
    }

    /// <summary>The host side of a network backend (-netdev, -nic, -net user/tap/bridge), or null when the model cannot hold it.</summary>
    private static InterfaceDevice? ReadNetBackend(QemuOptionValue v, string typeKey)
    {
        var type = v.Take(typeKey);
        v.Ignore("id");
        InterfaceDevice? nic;
        switch (type)
        {
            case "user":
                var ips = new List<InterfaceIp>();
                if (v.Take("net") is { } net)
                    ips.Add(Ip(v, "net", net, "ipv4"));
                if (v.Take("ipv6-net") is { } net6)
                    ips.Add(Ip(v, "ipv6-net", net6, "ipv6"));
                if (v.Take("ipv6-prefix") is { } prefix6)
                    ips.Add(new InterfaceIp(prefix6, "ipv6", v.TakeInt("ipv6-prefixlen") ?? 64));
                nic = new InterfaceDevice { Type = InterfaceType.User, Ips = ips };
                break;
            case "tap":
                v.IgnoreIf("script", "no", "");
                v.IgnoreIf("downscript", "no", "");
                v.IgnoreIf("vhost", "off");
                nic = new InterfaceDevice { Type = InterfaceType.Ethernet, TargetDev = v.Take("ifname") };
                break;
            case "bridge":
                nic = v.Take("br") is { } bridge ? new InterfaceDevice { Type = InterfaceType.Bridge, SourceName = bridge } : null;
                break;
            default:
                return null;
        }
        return v.Unused.Count > 0 ? null : nic;
    }

    private static InterfaceIp Ip(QemuOptionValue v, string key, string text, string family)
    {
        var slash = text.IndexOf('/');
        if (slash < 0)
            return new InterfaceIp(text, family, null);
        return int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            ? new InterfaceIp(text[..slash], family, prefix)
            : throw v.Invalid(key, text, "ADDRESS/PREFIX");
    }

    private static string? NormalizeMac(ArgvOption o, string? mac)
    {
        if (mac is null)
            return null;
        if (MacAddress.Normalize(mac) is { } normal && !MacAddress.IsMulticast(normal))
            return normal;
        throw new VirtException(ErrorCode.XmlError,
            $"option -{o.Name} '{o.Value}': '{mac}' is not a unicast MAC address: expected six ':'-separated hex bytes with the low bit of the first one clear");
    }

    /// <summary>-nic TYPE[,model=][,mac=]: a NIC and its backend in one option.</summary>
    private void Nic(ArgvOption o)
    {
        var v = QemuOptionValue.Parse(o.Name, Value(o), "type");
        if (v.Has("type") && v.Unused.Count == 1 && v.Take("type") == "none")
            return;
        var model = v.Take("model") ?? DefaultNicModel;
        var mac = NormalizeMac(o, v.Take("mac"));
        var nic = ReadNetBackend(v, "type");
        if (nic is null)
        {
            PassThrough(o);
            return;
        }
        _interfaces.Add(new PendingNic(o.Position, nic with { Mac = mac, Model = NicModel(model) }));
    }

    /// <summary>-net nic and -net user/tap/bridge pair up by vlan (hub) number, as QEMU connects them.</summary>
    private void LegacyNet(ArgvOption o)
    {
        var v = QemuOptionValue.Parse(o.Name, Value(o), "type");
        var type = v.Take("type");
        if (type == "none" && v.Unused.Count == 0)
            return;
        var vlan = v.Take("vlan") ?? "0";
        v.Ignore("name");
        var part = new LegacyNetPart(o, v, vlan);
        if (type == "nic")
            _legacyNics.Add(part);
        else
            _legacyBackends.Add(part);
    }

    private void FinishLegacyNets()
    {
        var free = new List<LegacyNetPart>(_legacyBackends);
        foreach (var part in _legacyNics)
        {
            var v = part.Value;
            var model = v.Take("model") ?? DefaultNicModel;
            var mac = NormalizeMac(part.Option, v.Take("macaddr"));
            var address = PciAddress(v);
            InterfaceDevice? nic = null;
            if (v.Take("netdev") is { } id)
            {
                if (_netdevs.TryGetValue(id, out var backend) && ReadNetBackend(backend.Value, "type") is { } fromNetdev)
                {
                    _usedBackends.Add(backend.Option);
                    nic = fromNetdev;
                }
            }
            else if (free.FirstOrDefault(b => b.Vlan == part.Vlan) is { } legacy)
            {
                free.Remove(legacy);
                nic = ReadNetBackend(legacy.Value, "type");
                if (nic is null)
                    PassThrough(legacy.Option);
            }
            if (nic is null || v.Unused.Count > 0)
            {
                PassThrough(part.Option);
                continue;
            }
            _interfaces.Add(new PendingNic(part.Option.Position, nic with { Mac = mac, Model = NicModel(model), Address = address }));
        }
        foreach (var unpaired in free)
            PassThrough(unpaired.Option);
    }
}
