namespace Virt.Protocol.Domains.Xml;

internal sealed partial class DeviceParser
{
    private CharDevice ParseChar(XmlNode node, bool console)
    {
        var type = node.EnumAttr("type", XmlNames.CharSource) ?? CharDeviceSourceType.Pty;
        string? path = null, mode = null, host = null, service = null, protocol = null;
        bool? append = null;
        if (node.Child("source") is { } source)
        {
            switch (type)
            {
                case CharDeviceSourceType.File:
                    path = source.RequiredAttr("path");
                    append = source.OnOffAttr("append");
                    break;
                case CharDeviceSourceType.Pty:
                    path = source.Attr("path");
                    break;
                case CharDeviceSourceType.Unix:
                    mode = source.ChoiceAttr("mode", "bind", "connect");
                    path = source.RequiredAttr("path");
                    break;
                case CharDeviceSourceType.Tcp:
                    mode = source.ChoiceAttr("mode", "bind", "connect");
                    host = source.Attr("host");
                    service = source.RequiredAttr("service");
                    break;
            }
            source.Done();
        }
        else if (type is CharDeviceSourceType.File or CharDeviceSourceType.Unix or CharDeviceSourceType.Tcp)
        {
            throw node.XmlError($"{node.Place} of type '{XmlNames.CharSource.Name(type)}' needs a <source> element");
        }

        if (node.Child("protocol") is { } protocolNode)
        {
            if (type != CharDeviceSourceType.Tcp)
                throw protocolNode.XmlError($"{protocolNode.Place} is only valid for type 'tcp'");
            protocol = protocolNode.ChoiceAttr("type", "raw", "telnet");
            protocolNode.Done();
        }

        string? targetType = null, targetModel = null;
        int? targetPort = null;
        if (node.Child("target") is { } target)
        {
            targetType = console
                ? target.ChoiceAttr("type", "serial", "virtio")
                : target.ChoiceAttr("type", "isa-serial", "usb-serial", "pci-serial");
            targetPort = target.IntAttr("port", 0);
            if (!console && target.Child("model") is { } model)
            {
                targetModel = model.ChoiceAttr("name", "isa-serial", "usb-serial", "pci-serial");
                model.Done();
            }
            target.Done();
        }

        var device = new CharDevice
        {
            SourceType = type,
            Path = path,
            Append = append,
            Mode = mode,
            Host = host,
            Service = service,
            Protocol = protocol,
            TargetType = targetType,
            TargetPort = targetPort,
            TargetModel = targetModel,
            Address = ParseAddress(node),
        };
        node.Done();
        return lines.Record(device, node);
    }
}
