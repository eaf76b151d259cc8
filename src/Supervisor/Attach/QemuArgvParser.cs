namespace Virt.Supervisor.Attach;

/// <summary>Turns a QEMU command line back into a domain definition (libvirt's argv-to-XML, used to attach to a running QEMU).</summary>
public static class QemuArgvParser
{
    /// <summary>Options that take a value and that the parser interprets (or deliberately passes through).</summary>
    internal static readonly HashSet<string> HandledOptions = new(StringComparer.Ordinal)
    {
        "name", "uuid", "m", "smp", "machine", "M", "accel", "cpu", "boot", "kernel", "initrd", "append", "drive",
        "hda", "hdb", "hdc", "hdd", "cdrom", "fda", "fdb", "blockdev", "device", "netdev", "net", "nic", "vnc",
        "display", "serial", "chardev", "rtc", "usbdevice", "vga", "watchdog", "watchdog-action", "object",
        "pidfile", "sandbox", "msg", "overcommit", "D", "d", "monitor", "qmp", "qmp-pretty", "mon", "parallel",
        "audiodev", "global", "add-fd", "k", "balloon", "bios", "L", "smbios", "numa", "fsdev", "virtfs", "incoming",
        "runas", "chroot", "trace", "plugin", "icount", "compat", "action", "spice", "iscsi", "mem-path", "loadvm",
        "option-rom", "fw_cfg", "readconfig", "writeconfig", "tpmdev", "gdb", "sdl", "soundhw", "audio",
    };

    /// <summary>
    /// Parses <paramref name="argv"/> (argv[0] is the emulator). Without -name the domain is called
    /// <paramref name="fallbackName"/>; without -uuid it gets a new UUID. Throws VirtException naming the
    /// option when a value is invalid or the model refuses it.
    /// </summary>
    public static ParsedQemuCommandLine Parse(IReadOnlyList<string> argv, string? fallbackName = null)
    {
        ArgumentNullException.ThrowIfNull(argv);
        if (argv.Count == 0)
            throw new ArgumentException("argv needs at least the emulator path", nameof(argv));
        return new ArgvConversion(argv, fallbackName).Run();
    }
}
