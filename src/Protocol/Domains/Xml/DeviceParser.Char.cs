namespace Virt.Protocol.Domains.Xml;

/// <summary>Which kind of character device an element is: its &lt;target&gt; means something different for each.</summary>
internal enum CharRole { Serial, Console, Channel }

internal sealed partial class DeviceParser
{
    private CharDevice ParseChar(XmlNode node, CharRole role)
    {
        var console = role == CharRole.Console;
        var type = node.EnumAttr("type", XmlNames.CharSource) ?? CharDeviceSourceType.Pty;
        // libvirt's legacy tty='/dev/pts/N' of a live console: the source path says the same, so it is read and left.
        if (console)
            node.Attr("tty");
        if (type == CharDeviceSourceType.Spicevmc && role != CharRole.Channel)
            throw node.Unsupported($"{node.Place}: type 'spicevmc' is for a <channel> (or a <redirdev>)", "type");
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
                    // A guest agent channel may leave the path to the daemon, as libvirt does.
                    path = role == CharRole.Channel && mode != "connect" ? source.Attr("path") : source.RequiredAttr("path");
                    break;
                case CharDeviceSourceType.Tcp:
                    mode = source.ChoiceAttr("mode", "bind", "connect");
                    host = source.Attr("host");
                    service = source.RequiredAttr("service");
                    break;
            }
            source.Done();
        }
        else if (type is CharDeviceSourceType.File or CharDeviceSourceType.Tcp || (type == CharDeviceSourceType.Unix && role != CharRole.Channel))
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

        string? logFile = null;
        bool? logAppend = null;
        if (node.Child("log") is { } log)
        {
            logFile = log.RequiredAttr("file");
            logAppend = log.OnOffAttr("append");
            log.Done();
        }

        string? targetType = null, targetModel = null, targetName = null;
        int? targetPort = null;
        if (node.Child("target") is { } target)
        {
            targetType = role switch
            {
                CharRole.Console => target.ChoiceAttr("type", "serial", "virtio"),
                CharRole.Channel => target.ChoiceAttr("type", "virtio"),
                _ => target.ChoiceAttr("type", "isa-serial", "usb-serial", "pci-serial"),
            };
            if (role == CharRole.Channel)
            {
                targetName = target.Attr("name");
                if (targetType is null)
                    throw target.XmlError($"{target.Place} of a <channel> needs type='virtio'", "type");
            }
            else
            {
                targetPort = target.IntAttr("port", 0);
            }
            if (role == CharRole.Serial && target.Child("model") is { } model)
            {
                targetModel = model.ChoiceAttr("name", "isa-serial", "usb-serial", "pci-serial");
                model.Done();
            }
            target.Done();
        }

        if (role == CharRole.Channel && targetType is null)
            throw node.XmlError($"{node.Place} needs a <target type='virtio'/>");
        if (type == CharDeviceSourceType.Spicevmc && targetName is not (null or "com.redhat.spice.0"))
            throw node.Unsupported($"{node.Place}: a spicevmc channel is SPICE's agent, named com.redhat.spice.0");
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
            TargetName = targetName,
            TargetModel = targetModel,
            LogFile = logFile,
            LogAppend = logAppend,
            Alias = node.Child("alias") is { } alias ? AliasName(alias) : null,
            Address = ParseAddress(node),
        };
        node.Done();
        return lines.Record(device, node);
    }

    private static string AliasName(XmlNode alias)
    {
        var name = alias.RequiredAttr("name");
        alias.Done();
        return name;
    }
}
