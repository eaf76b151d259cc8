namespace Virt.Protocol.Domains.Xml;

/// <summary>A two-way table between an enum and the words libvirt's XML uses for it.</summary>
internal sealed class XmlEnum<T>(params (string Name, T Value)[] pairs) where T : struct, Enum
{
    public string Allowed { get; } = string.Join(", ", pairs.Select(p => p.Name));

    public bool TryParse(string text, out T value)
    {
        foreach (var (name, v) in pairs)
        {
            if (name == text)
            {
                value = v;
                return true;
            }
        }
        value = default;
        return false;
    }

    public string Name(T value)
    {
        foreach (var (name, v) in pairs)
        {
            if (EqualityComparer<T>.Default.Equals(v, value))
                return name;
        }
        throw new ArgumentOutOfRangeException(nameof(value), value, $"no XML name for {typeof(T).Name}.{value}");
    }
}

/// <summary>The XML words of every enum in the domain model.</summary>
internal static class XmlNames
{
    public static readonly XmlEnum<DomainType> DomainType = new(("qemu", Domains.DomainType.Qemu), ("kvm", Domains.DomainType.Kvm));

    public static readonly XmlEnum<LifecycleAction> Lifecycle = new(
        ("destroy", LifecycleAction.Destroy), ("restart", LifecycleAction.Restart), ("preserve", LifecycleAction.Preserve),
        ("rename-restart", LifecycleAction.RenameRestart), ("coredump-destroy", LifecycleAction.CoredumpDestroy),
        ("coredump-restart", LifecycleAction.CoredumpRestart));

    public static readonly XmlEnum<BootDevice> Boot = new(
        ("hd", BootDevice.HardDisk), ("cdrom", BootDevice.Cdrom), ("fd", BootDevice.Floppy), ("network", BootDevice.Network));

    public static readonly XmlEnum<DiskSourceType> DiskSource = new(
        ("file", DiskSourceType.File), ("block", DiskSourceType.Block), ("network", DiskSourceType.Network));

    public static readonly XmlEnum<DiskDeviceKind> DiskDevice = new(
        ("disk", DiskDeviceKind.Disk), ("cdrom", DiskDeviceKind.Cdrom), ("floppy", DiskDeviceKind.Floppy));

    public static readonly XmlEnum<DiskBus> DiskBus = new(
        ("ide", Domains.DiskBus.Ide), ("fdc", Domains.DiskBus.Fdc), ("scsi", Domains.DiskBus.Scsi),
        ("virtio", Domains.DiskBus.Virtio), ("usb", Domains.DiskBus.Usb), ("sata", Domains.DiskBus.Sata));

    public static readonly XmlEnum<InterfaceType> Interface = new(
        ("user", InterfaceType.User), ("network", InterfaceType.Network), ("bridge", InterfaceType.Bridge), ("ethernet", InterfaceType.Ethernet));

    public static readonly XmlEnum<CharDeviceSourceType> CharSource = new(
        ("pty", CharDeviceSourceType.Pty), ("file", CharDeviceSourceType.File), ("unix", CharDeviceSourceType.Unix),
        ("null", CharDeviceSourceType.Null), ("tcp", CharDeviceSourceType.Tcp), ("spicevmc", CharDeviceSourceType.Spicevmc));
}
