using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Protocol.Api;

/// <summary>Changing a domain's devices (virsh update-device, change-media).</summary>
public static class DomainDevices
{
    /// <summary>
    /// Replaces a device by the one in <paramref name="Xml"/>, matched by its target (libvirt's
    /// virDomainUpdateDeviceFlags); Virt changes a cdrom's or floppy's medium this way, live, in the config, or both.
    /// </summary>
    public sealed record UpdateDevice(DomainRef Domain, string Xml, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;
}
