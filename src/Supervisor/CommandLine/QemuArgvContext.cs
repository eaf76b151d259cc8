namespace Virt.Supervisor.CommandLine;

/// <summary>What the runtime decides for one start of a domain, as opposed to what its definition says.</summary>
/// <param name="MonitorSocketPath">The QMP monitor UNIX socket QEMU listens on.</param>
/// <param name="RuntimeDirectory">The domain's private runtime directory, for sockets the definition leaves unnamed (VNC).</param>
public sealed record QemuArgvContext(string MonitorSocketPath, string RuntimeDirectory)
{
    /// <summary>Where UEFI guests keep their variable stores (the daemon's nvram directory); null puts them in the runtime directory.</summary>
    public string? NvramDirectory { get; init; }
}
