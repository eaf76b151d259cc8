namespace Virt.Supervisor.CommandLine;

/// <summary>What the runtime decides for one start of a domain, as opposed to what its definition says.</summary>
/// <param name="MonitorSocketPath">The QMP monitor UNIX socket QEMU listens on.</param>
/// <param name="RuntimeDirectory">The domain's private runtime directory, for sockets the definition leaves unnamed (VNC).</param>
public sealed record QemuArgvContext(string MonitorSocketPath, string RuntimeDirectory)
{
    /// <summary>Where UEFI guests keep their variable stores (the daemon's nvram directory); null puts them in the runtime directory.</summary>
    public string? NvramDirectory { get; init; }

    /// <summary>For each bridged interface (by its index among the interfaces), the descriptor of its tap in QEMU.</summary>
    public IReadOnlyDictionary<int, int> TapDescriptors { get; init; } = new Dictionary<int, int>();

    /// <summary>QEMU waits for a migration stream (a restore from a save image) instead of booting.</summary>
    public bool Incoming { get; init; }

    /// <summary>The descriptors a start would give the taps (3, 4, ...), for a command line that is shown, not run.</summary>
    public QemuArgvContext WithTapPlaceholders(Virt.Protocol.Domains.DomainDefinition def) =>
        this with { TapDescriptors = Network.GuestTaps.Numbered(Network.GuestTaps.Bridged(def)) };
}
