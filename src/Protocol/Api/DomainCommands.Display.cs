namespace Virt.Protocol.Api;

public static partial class DomainCommands
{
    /// <summary>
    /// A PNG of a running domain's display (virsh screenshot); <paramref name="Screen"/> counts the heads of every
    /// video device in order, 0 being the primary one's first.
    /// </summary>
    /// <remarks>A write command, as in libvirt: the picture may show what a read-only client must not see.</remarks>
    public sealed record TakeScreenshot(DomainRef Domain, int Screen = 0) : IWriteCommand;
}
