namespace Virt.Protocol.Domains.Xml;

internal sealed partial class DeviceParser
{
    private static readonly string[] NicModels = ["virtio", "e1000", "e1000e", "rtl8139", "ne2k_pci", "pcnet", "i82551", "i82557b", "i82559er", "usb-net", "vmxnet3"];

    internal InterfaceDevice ParseInterface(XmlNode node)
    {
        var type = node.EnumAttr("type", XmlNames.Interface) ?? throw node.XmlError($"{node.Place} needs the attribute 'type' (one of {XmlNames.Interface.Allowed})", "type");

        string? mac = null;
        if (node.Child("mac") is { } macNode)
        {
            var text = macNode.RequiredAttr("address");
            mac = MacAddress.Normalize(text) ?? throw macNode.XmlError($"unable to parse MAC address '{text}' in {macNode.Place}: expected six hexadecimal bytes such as 52:54:00:12:34:56", "address");
            if (MacAddress.IsMulticast(mac))
                throw macNode.XmlError($"expected a unicast MAC address, found multicast '{text}' in {macNode.Place}", "address");
            macNode.Done();
        }

        string? sourceName = null;
        if (node.Child("source") is { } source)
        {
            sourceName = type switch
            {
                InterfaceType.Network => source.RequiredAttr("network"),
                InterfaceType.Bridge => source.RequiredAttr("bridge"),
                _ => null,
            };
            source.Done();
        }
        if (sourceName is null && type is InterfaceType.Network or InterfaceType.Bridge)
            throw node.XmlError($"{node.Place} of type '{XmlNames.Interface.Name(type)}' needs <source {(type == InterfaceType.Network ? "network" : "bridge")}='...'/>");

        var ips = new List<InterfaceIp>();
        foreach (var ip in node.Children("ip"))
        {
            var address = ip.RequiredAttr("address");
            if (!System.Net.IPAddress.TryParse(address, out _))
                throw ip.XmlError($"invalid IP address '{address}' in {ip.Place}", "address");
            ips.Add(new InterfaceIp(address, ip.ChoiceAttr("family", "ipv4", "ipv6"), ip.IntAttr("prefix", 0, 128)));
            ip.Done();
        }

        string? targetDev = null;
        if (node.Child("target") is { } target)
        {
            targetDev = target.RequiredAttr("dev");
            target.Done();
        }

        string? model = null;
        if (node.Child("model") is { } modelNode)
        {
            model = modelNode.ChoiceAttr("type", NicModels) ?? throw modelNode.XmlError($"{modelNode.Place} needs the attribute 'type'", "type");
            modelNode.Done();
        }

        var nic = new InterfaceDevice
        {
            Type = type,
            SourceName = sourceName,
            TargetDev = targetDev,
            Mac = mac,
            Model = model,
            Ips = ips,
            BootOrder = ParseBootOrder(node),
            Alias = node.Child("alias") is { } alias ? AliasName(alias) : null,
            Address = ParseAddress(node),
        };
        node.Done();
        return lines.Record(nic, node);
    }
}
