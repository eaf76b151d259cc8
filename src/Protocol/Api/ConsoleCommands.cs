namespace Virt.Protocol.Api;

/// <summary>What a client asks of a running domain's serial console.</summary>
public static class ConsoleCommands
{
    /// <summary>
    /// Opens the console named <paramref name="Device"/> (an alias: serial0, console1; the first console, else the first
    /// serial, when null), as virsh console DEVNAME. One session per device: a second is refused unless
    /// <paramref name="Force"/>, which ends the first. <paramref name="Safe"/> asks for exclusive access, which Virt
    /// always gives, so it is accepted as libvirt's QEMU driver accepts it.
    /// </summary>
    public sealed record OpenConsole(DomainRef Domain, string? Device = null, bool Force = false, bool Safe = false) : DomainCommands.IWriteCommand;
}
