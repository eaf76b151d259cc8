namespace Virt.Protocol.Domains.Xml;

internal sealed partial class DeviceParser
{
    private static readonly string[] DiskFormats = ["raw", "qcow2", "qcow", "qed", "vmdk", "vpc", "vdi", "vhdx", "bochs", "cloop", "dmg", "parallels"];
    private static readonly string[] DiskCaches = ["default", "none", "writethrough", "writeback", "directsync", "unsafe"];
    private static readonly string[] NetworkProtocols = ["nbd", "iscsi", "rbd", "gluster", "http", "https", "ftp", "ftps", "tftp", "ssh", "nfs"];

    internal DiskDevice ParseDisk(XmlNode node)
    {
        var sourceType = node.EnumAttr("type", XmlNames.DiskSource) ?? DiskSourceType.File;
        var device = node.EnumAttr("device", XmlNames.DiskDevice) ?? DiskDeviceKind.Disk;

        string? driverName = null, driverType = null, driverCache = null, discard = null, detectZeroes = null, io = null;
        if (node.Child("driver") is { } driver)
        {
            driverName = driver.ChoiceAttr("name", "qemu");
            driverType = driver.ChoiceAttr("type", DiskFormats);
            driverCache = driver.ChoiceAttr("cache", DiskCaches);
            discard = driver.ChoiceAttr("discard", "unmap", "ignore");
            detectZeroes = driver.ChoiceAttr("detect_zeroes", "off", "on", "unmap");
            io = driver.ChoiceAttr("io", "threads", "native", "io_uring");
            driver.Done();
        }

        string? path = null;
        NetworkDiskSource? network = null;
        if (node.Child("source") is { } source)
        {
            switch (sourceType)
            {
                case DiskSourceType.File:
                    path = source.Attr("file");
                    break;
                case DiskSourceType.Block:
                    path = source.Attr("dev");
                    break;
                default:
                    network = ParseNetworkSource(source);
                    break;
            }
            source.Done();
        }

        var backing = node.Child("backingStore") is { } store ? ParseBackingStore(store) : null;

        var target = node.Child("target") ?? throw node.XmlError($"{node.Place} needs a <target dev='...' bus='...'/> element");
        var dev = target.RequiredAttr("dev");
        var bus = target.EnumAttr("bus", XmlNames.DiskBus) ?? DiskNames.DefaultBus(dev, device)
            ?? throw target.XmlError($"{target.Place} needs the attribute 'bus' (one of {XmlNames.DiskBus.Allowed}): no default for target '{dev}'", "bus");
        target.Done();

        var readOnly = false;
        if (node.Child("readonly") is { } ro)
        {
            ro.Done();
            readOnly = true;
        }

        var disk = new DiskDevice
        {
            SourceType = sourceType,
            Device = device,
            SourcePath = path,
            NetworkSource = network,
            DriverName = driverName,
            DriverType = driverType,
            DriverCache = driverCache,
            Discard = discard,
            DetectZeroes = detectZeroes,
            Io = io,
            TargetDev = dev,
            TargetBus = bus,
            ReadOnly = readOnly,
            BootOrder = ParseBootOrder(node),
            Address = ParseAddress(node),
            BackingStore = backing,
        };
        node.Done();
        return lines.Record(disk, node);
    }

    /// <summary>A local file or block device under the disk's image, and what is under it; an empty element ends the chain.</summary>
    private static DiskBackingStore ParseBackingStore(XmlNode node)
    {
        if (node.Attr("type") is null && node.Element.Children.Count == 0)
        {
            node.Done();
            return DiskBackingStore.End;
        }
        var type = node.EnumAttr("type", XmlNames.DiskSource) ?? DiskSourceType.File;
        if (type == DiskSourceType.Network)
            throw node.Unsupported($"{node.Place}: a network backing store is not supported", "type");
        node.Attr("index");
        string? format = null;
        if (node.Child("format") is { } f)
        {
            format = f.ChoiceAttr("type", DiskFormats);
            f.Done();
        }
        var source = node.Child("source") ?? throw node.XmlError($"{node.Place} needs a <source>");
        var path = source.Attr(type == DiskSourceType.Block ? "dev" : "file") ?? throw source.XmlError($"{source.Place} needs the attribute '{(type == DiskSourceType.Block ? "dev" : "file")}'");
        source.Attr("index");
        source.Done();
        var next = node.Child("backingStore") is { } deeper ? ParseBackingStore(deeper) : null;
        node.Done();
        return new DiskBackingStore(type, format, path, next);
    }

    private static NetworkDiskSource ParseNetworkSource(XmlNode source)
    {
        var protocol = source.ChoiceAttr("protocol", NetworkProtocols)
            ?? throw source.XmlError($"{source.Place} of a network disk needs the attribute 'protocol' (one of {string.Join(", ", NetworkProtocols)})", "protocol");
        var hosts = new List<NetworkHost>();
        foreach (var host in source.Children("host"))
        {
            host.ChoiceAttr("transport", "tcp");
            hosts.Add(new NetworkHost(host.RequiredAttr("name"), host.Attr("port")));
            host.Done();
        }
        return new NetworkDiskSource { Protocol = protocol, Name = source.Attr("name"), Hosts = hosts };
    }
}
