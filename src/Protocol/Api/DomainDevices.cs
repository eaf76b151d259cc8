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

    /// <summary>Adds the &lt;disk&gt; in <paramref name="Xml"/>: hot-plugged into the running guest, to the config, or both (virDomainAttachDeviceFlags).</summary>
    public sealed record AttachDevice(DomainRef Domain, string Xml, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;

    /// <summary>
    /// Removes the &lt;disk&gt; named by the target in <paramref name="Xml"/>. Live, the guest is asked to let it go; one that
    /// does not within 5 s keeps it, and the answer is success all the same, as libvirt's (the removal is asynchronous).
    /// </summary>
    public sealed record DetachDevice(DomainRef Domain, string Xml, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;
}
