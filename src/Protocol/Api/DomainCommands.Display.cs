namespace Virt.Protocol.Api;

public static partial class DomainCommands
{
    /// <summary>
    /// A PNG of a running domain's display (virsh screenshot); <paramref name="Screen"/> counts the heads of every
    /// video device in order, 0 being the primary one's first.
    /// </summary>
    /// <remarks>A write command, as in libvirt: the picture may show what a read-only client must not see.</remarks>
    public sealed record TakeScreenshot(DomainRef Domain, int Screen = 0) : IWriteCommand;

    /// <summary>
    /// A new client connection to the display of a running domain's <paramref name="Index"/>-th &lt;graphics&gt; (VNC or
    /// SPICE), as virDomainOpenGraphicsFD: the reply hands over the client's end of a socket. <paramref name="SkipAuth"/>
    /// lets that client past the display's password. Local only: a descriptor crosses no network, so neither the JSON
    /// socket nor Akka.Remote carries it; libvirt's protocol on the daemon's UNIX socket does.
    /// </summary>
    /// <remarks>A write command, as in libvirt (virCheckReadOnly): the display shows what a read-only client must not see.</remarks>
    public sealed record OpenGraphics(DomainRef Domain, uint Index = 0, bool SkipAuth = false) : IWriteCommand;
}
