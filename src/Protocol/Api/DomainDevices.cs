using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Protocol.Api;

/// <summary>Changing a domain's devices, disks and network interfaces (virsh attach-device, detach-device, update-device, change-media, attach-interface, detach-interface).</summary>
public static class DomainDevices
{
    /// <summary>
    /// Replaces a device by the one in <paramref name="Xml"/>, a disk matched by its target, an interface by its MAC (libvirt's
    /// virDomainUpdateDeviceFlags); Virt changes a cdrom's or floppy's medium this way, live, in the config, or both, and an
    /// interface in the config (live, only an update that changes nothing is taken, as QEMU cannot change a NIC in place).
    /// </summary>
    public sealed record UpdateDevice(DomainRef Domain, string Xml, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;

    /// <summary>
    /// Adds the &lt;disk&gt; or &lt;interface&gt; in <paramref name="Xml"/>: hot-plugged into the running guest, to the config,
    /// or both (virDomainAttachDeviceFlags). An interface without a MAC gets one, the same in both.
    /// </summary>
    public sealed record AttachDevice(DomainRef Domain, string Xml, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;

    /// <summary>
    /// Removes the &lt;disk&gt; named by the target in <paramref name="Xml"/>, or the &lt;interface&gt; by its MAC (and address
    /// and alias, when given). Live, the guest is asked to let it go; one that
    /// does not within 5 s keeps it, and the answer is success all the same, as libvirt's (the removal is asynchronous).
    /// </summary>
    public sealed record DetachDevice(DomainRef Domain, string Xml, DomainModificationFlags Flags = DomainModificationFlags.Current) : IWriteCommand;
}
