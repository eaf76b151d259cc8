namespace Virt.Protocol.Domains;

/// <summary>The devices of a domain, each kind in document order.</summary>
public sealed record DeviceSet
{
    public string? Emulator { get; init; }
    public IReadOnlyList<DiskDevice> Disks { get; init; } = [];
    public IReadOnlyList<ControllerDevice> Controllers { get; init; } = [];
    public IReadOnlyList<InterfaceDevice> Interfaces { get; init; } = [];
    public IReadOnlyList<InputDevice> Inputs { get; init; } = [];
    public IReadOnlyList<GraphicsDevice> Graphics { get; init; } = [];
    public IReadOnlyList<SoundDevice> Sounds { get; init; } = [];
    public IReadOnlyList<AudioDevice> Audios { get; init; } = [];
    public IReadOnlyList<VideoDevice> Videos { get; init; } = [];
    public IReadOnlyList<CharDevice> Serials { get; init; } = [];
    public IReadOnlyList<CharDevice> Consoles { get; init; } = [];
    /// <summary>&lt;channel&gt;: virtio-serial ports for the guest agent and SPICE's vdagent.</summary>
    public IReadOnlyList<CharDevice> Channels { get; init; } = [];
    public WatchdogDevice? Watchdog { get; init; }
    public IReadOnlyList<RngDevice> Rngs { get; init; } = [];
    public MemballoonDevice? Memballoon { get; init; }
    public IReadOnlyList<PanicDevice> Panics { get; init; } = [];
    public IReadOnlyList<HubDevice> Hubs { get; init; } = [];
    public IReadOnlyList<RedirDevice> Redirdevs { get; init; } = [];
    public IReadOnlyList<TpmDevice> Tpms { get; init; } = [];
    public IReadOnlyList<FilesystemDevice> Filesystems { get; init; } = [];
}

/// <summary>&lt;filesystem type='mount'&gt;: a host directory the guest mounts by its tag, over virtio-9p.</summary>
public sealed record FilesystemDevice
{
    /// <summary>passthrough (the host's owners and modes), mapped (kept in extended attributes) or squash.</summary>
    public string AccessMode { get; init; } = "passthrough";
    /// <summary>&lt;driver type&gt;: path (9p) or virtiofs; null for libvirt's default, 9p.</summary>
    public string? DriverType { get; init; }
    public required string SourceDir { get; init; }
    /// <summary>The mount tag the guest names.</summary>
    public required string TargetDir { get; init; }
    public bool ReadOnly { get; init; }
    /// <summary>fmode and dmode: modes of files and directories the guest creates (mapped), as written (octal).</summary>
    public string? FileMode { get; init; }
    public string? DirectoryMode { get; init; }
    /// <summary>multidevs: remap, forbid or warn, for a source spanning several host devices.</summary>
    public string? Multidevs { get; init; }
    public DeviceAddress? Address { get; init; }
}

/// <summary>&lt;tpm&gt; with an emulator backend: a swtpm per guest, keeping the TPM's state between starts.</summary>
public sealed record TpmDevice
{
    /// <summary>tpm-tis or tpm-crb.</summary>
    public required string Model { get; init; }
    public string BackendType { get; init; } = "emulator";
    /// <summary>2.0 or 1.2.</summary>
    public string? Version { get; init; }
    /// <summary>persistent_state: the state outlives an undefine.</summary>
    public bool? PersistentState { get; init; }
}

/// <summary>A USB redirection channel (&lt;redirdev bus='usb'&gt;): a SPICE client's or a TCP peer's USB device, on a guest USB port.</summary>
public sealed record RedirDevice
{
    /// <summary>spicevmc or tcp.</summary>
    public required string SourceType { get; init; }
    public string? Host { get; init; }
    public string? Service { get; init; }
    public int? BootOrder { get; init; }
    public DeviceAddress? Address { get; init; }
}

/// <summary>A USB hub (&lt;hub type='usb'/&gt;): eight more ports on the port it takes.</summary>
public sealed record HubDevice
{
    public DeviceAddress? Address { get; init; }
}

/// <summary>A guest address libvirt would assign itself (pci, drive, usb...); kept as written.</summary>
public sealed record DeviceAddress
{
    public required string Type { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Attributes { get; init; } = [];

    public string? this[string name] => Attributes.FirstOrDefault(a => a.Key == name).Value;
}

public enum DiskSourceType { File, Block, Network }
public enum DiskDeviceKind { Disk, Cdrom, Floppy }
public enum DiskBus { Ide, Sata, Scsi, Virtio, Fdc, Usb }

public sealed record DiskDevice
{
    public DiskSourceType SourceType { get; init; } = DiskSourceType.File;
    public DiskDeviceKind Device { get; init; } = DiskDeviceKind.Disk;
    /// <summary>File path or block device path; null for an empty cdrom or floppy.</summary>
    public string? SourcePath { get; init; }
    public NetworkDiskSource? NetworkSource { get; init; }
    public string? DriverName { get; init; }
    /// <summary>Image format: raw, qcow2...</summary>
    public string? DriverType { get; init; }
    /// <summary>default, none, writethrough, writeback, directsync, unsafe.</summary>
    public string? DriverCache { get; init; }
    /// <summary>unmap passes the guest's discards to the image, ignore drops them.</summary>
    public string? Discard { get; init; }
    /// <summary>off, on, or unmap (zeroes written become discards, where discard is unmap).</summary>
    public string? DetectZeroes { get; init; }
    /// <summary>The host I/O: threads, native or io_uring.</summary>
    public string? Io { get; init; }
    public required string TargetDev { get; init; }
    public required DiskBus TargetBus { get; init; }
    public bool ReadOnly { get; init; }
    public int? BootOrder { get; init; }
    public DeviceAddress? Address { get; init; }
    /// <summary>The image under an overlay (an external snapshot's), as libvirt writes it; QEMU opens the chain from the image headers.</summary>
    public DiskBackingStore? BackingStore { get; init; }
}

/// <summary>One &lt;backingStore&gt; of a disk's chain; <see cref="Path"/> null is the empty element that ends a chain.</summary>
public sealed record DiskBackingStore(DiskSourceType SourceType, string? Format, string? Path, DiskBackingStore? Next = null)
{
    public static readonly DiskBackingStore End = new(DiskSourceType.File, null, null);
}

public sealed record NetworkDiskSource
{
    public required string Protocol { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<NetworkHost> Hosts { get; init; } = [];
}

public sealed record NetworkHost(string Name, string? Port);

public sealed record ControllerDevice
{
    public required string Type { get; init; }
    /// <summary>Given on define when the XML leaves it out, as libvirt gives it (<see cref="ControllerIndexes"/>).</summary>
    public int Index { get; init; }
    public string? Model { get; init; }
    /// <summary>For a USB companion (ich9-uhciN): the first port it takes of its EHCI master.</summary>
    public int? MasterStartPort { get; init; }
    /// <summary>For an xHCI USB controller: how many ports it has (libvirt's default is 4).</summary>
    public int? Ports { get; init; }
    /// <summary>For a PCI controller: the QEMU device behind its model (&lt;model name&gt;), and its &lt;target&gt;.</summary>
    public PciControllerTarget? Pci { get; init; }
    public DeviceAddress? Address { get; init; }
}

/// <summary>A PCI controller's &lt;model name&gt; and &lt;target&gt;: the QEMU device, chassis and port numbers, hotplug.</summary>
public sealed record PciControllerTarget
{
    /// <summary>pcie-root-port, ioh3420, pci-bridge, pcie-pci-bridge, i82801b11-bridge, x3130-upstream, xio3130-downstream...</summary>
    public string? ModelName { get; init; }
    public int? Chassis { get; init; }
    public int? Port { get; init; }
    public int? ChassisNr { get; init; }
    public int? BusNr { get; init; }
    public bool? Hotplug { get; init; }
}

public enum InterfaceType { User, Network, Bridge, Ethernet }

public sealed record InterfaceDevice
{
    public required InterfaceType Type { get; init; }
    /// <summary>Network name for type network, bridge name for type bridge.</summary>
    public string? SourceName { get; init; }
    /// <summary>Host tap device name for type ethernet/bridge.</summary>
    public string? TargetDev { get; init; }
    public string? Mac { get; init; }
    public string? Model { get; init; }
    public IReadOnlyList<InterfaceIp> Ips { get; init; } = [];
    public int? BootOrder { get; init; }
    /// <summary>The QEMU device id of a running domain's NIC (net0), in the live XML only; its backend is host + alias.</summary>
    public string? Alias { get; init; }
    public DeviceAddress? Address { get; init; }
}

public sealed record InterfaceIp(string Address, string? Family, int? Prefix);

public sealed record InputDevice
{
    /// <summary>mouse, keyboard, tablet.</summary>
    public required string Type { get; init; }
    /// <summary>ps2, usb, virtio.</summary>
    public string? Bus { get; init; }
    public DeviceAddress? Address { get; init; }
}

public sealed record GraphicsDevice
{
    /// <summary>vnc or spice.</summary>
    public string Type { get; init; } = "vnc";
    public int? Port { get; init; }
    /// <summary>SPICE's TLS port; -1 (virt-install's) asks for one only where TLS is set up, which Virt does not do.</summary>
    public int? TlsPort { get; init; }
    public bool? AutoPort { get; init; }
    public string? Listen { get; init; }
    public string? Socket { get; init; }
    public IReadOnlyList<GraphicsListen> Listens { get; init; } = [];
    /// <summary>passwd: set over QMP at start, never on QEMU's command line; shown only in secure XML.</summary>
    public string? Password { get; init; }
    /// <summary>passwdValidTo, UTC as libvirt writes it (2010-04-09T15:51:00); the password expires then.</summary>
    public string? PasswordValidTo { get; init; }

    /// <summary>The moment a passwdValidTo names, or null when it is not libvirt's YYYY-MM-DDTHH:MM:SS in UTC.</summary>
    public static DateTimeOffset? ParseValidTo(string text) =>
        DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var moment) ? moment : null;
    /// <summary>SPICE's stream options (&lt;image compression&gt;, &lt;clipboard&gt;, ...); null for VNC or none written.</summary>
    public SpiceOptions? Spice { get; init; }
}

/// <summary>The children of a SPICE &lt;graphics&gt; that tune its streams and what the client may do.</summary>
public sealed record SpiceOptions
{
    public string? ImageCompression { get; init; }
    public string? JpegCompression { get; init; }
    public string? ZlibCompression { get; init; }
    public bool? PlaybackCompression { get; init; }
    public string? StreamingMode { get; init; }
    public bool? CopyPaste { get; init; }
    public string? MouseMode { get; init; }
    public bool? FileTransfer { get; init; }
}

/// <summary>A graphics listen element: type address (Address), socket (Socket), none.</summary>
public sealed record GraphicsListen(string Type, string? Address, string? Socket);

public sealed record AudioDevice(int Id, string Type);

/// <summary>A sound card (&lt;sound model&gt;): the HDA controllers with their codecs, AC97, ES1370, SB16, USB audio.</summary>
public sealed record SoundDevice
{
    /// <summary>ich6, ich9, ac97, es1370, sb16, usb.</summary>
    public required string Model { get; init; }
    /// <summary>HDA codecs (duplex, micro, output); none written means libvirt's one duplex codec.</summary>
    public IReadOnlyList<string> Codecs { get; init; } = [];
    /// <summary>The &lt;audio id&gt; backend it plays through; null for the first one.</summary>
    public int? AudioId { get; init; }
    public DeviceAddress? Address { get; init; }
}

public sealed record VideoDevice
{
    /// <summary>cirrus, vga, virtio, qxl, bochs, ramfb, none.</summary>
    public required string ModelType { get; init; }
    /// <summary>Sizes in KiB, as libvirt writes them: qxl's RAM bar, VRAM, 64-bit VRAM and VGA memory.</summary>
    public int? Ram { get; init; }
    public int? Vram { get; init; }
    public int? Vram64 { get; init; }
    public int? VgaMem { get; init; }
    public int? Heads { get; init; }
    public bool? Primary { get; init; }
    public DeviceAddress? Address { get; init; }
}

public enum CharDeviceSourceType { Pty, File, Unix, Null, Tcp, Spicevmc }

/// <summary>A serial port or console and the host side it connects to.</summary>
public sealed record CharDevice
{
    public required CharDeviceSourceType SourceType { get; init; }
    /// <summary>File or unix socket path.</summary>
    public string? Path { get; init; }
    public bool? Append { get; init; }
    /// <summary>bind (server) or connect (client) for unix and tcp.</summary>
    public string? Mode { get; init; }
    public string? Host { get; init; }
    public string? Service { get; init; }
    /// <summary>raw or telnet, for tcp.</summary>
    public string? Protocol { get; init; }
    /// <summary>Serial: isa-serial, usb-serial, pci-serial; console: serial, virtio.</summary>
    public string? TargetType { get; init; }
    public int? TargetPort { get; init; }
    /// <summary>A virtio channel's port name the guest looks for (org.qemu.guest_agent.0, com.redhat.spice.0).</summary>
    public string? TargetName { get; init; }
    /// <summary>The device model named in &lt;target&gt;&lt;model name/&gt; (isa-serial, usb-serial, pci-serial); libvirt writes it equal to the target type.</summary>
    public string? TargetModel { get; init; }
    /// <summary>&lt;log file=&gt;: QEMU copies everything the guest writes here, whoever is attached (libvirt's virtlogd file).</summary>
    public string? LogFile { get; init; }
    /// <summary>&lt;log append=&gt;: keep what the file held (on) or truncate it at start (off, and QEMU's default).</summary>
    public bool? LogAppend { get; init; }
    /// <summary>&lt;alias name=&gt;: the device's id in QEMU (serial0, console1), set in the live definition; a console's DEVNAME.</summary>
    public string? Alias { get; init; }
    public DeviceAddress? Address { get; init; }
}

/// <summary>A device the guest reports a panic through, so on_crash applies (libvirt's &lt;panic&gt;).</summary>
public sealed record PanicDevice
{
    /// <summary>isa (pvpanic at an I/O port), pvpanic (PCI), hyperv, pseries, s390; null for the machine's default.</summary>
    public string? Model { get; init; }
    public DeviceAddress? Address { get; init; }
}

public sealed record WatchdogDevice
{
    /// <summary>i6300esb, ib700, itco.</summary>
    public required string Model { get; init; }
    /// <summary>reset, shutdown, poweroff, pause, none, dump, inject-nmi.</summary>
    public string? Action { get; init; }
    public DeviceAddress? Address { get; init; }
}

public sealed record RngDevice
{
    public string Model { get; init; } = "virtio";
    /// <summary>random or builtin.</summary>
    public required string BackendModel { get; init; }
    /// <summary>For random: the host device, /dev/urandom by default.</summary>
    public string? BackendPath { get; init; }
    /// <summary>&lt;rate bytes= period=&gt;: at most this many bytes per period (ms, 1000 by default).</summary>
    public int? RateBytes { get; init; }
    public int? RatePeriod { get; init; }
    public DeviceAddress? Address { get; init; }
}

public sealed record MemballoonDevice
{
    /// <summary>virtio or none.</summary>
    public required string Model { get; init; }
    public int? StatsPeriod { get; init; }
    /// <summary>autodeflate: the guest gives memory back rather than run out of it.</summary>
    public bool? AutoDeflate { get; init; }
    public bool? FreePageReporting { get; init; }
    public DeviceAddress? Address { get; init; }
}
