namespace Virt.Protocol.Api;

/// <summary>What a client asks of the domain registry and the domain actors; plain data for the wire.</summary>
public static partial class DomainCommands
{
    /// <summary>Marker for every domain command, so the wire codec and the actors can route them.</summary>
    public interface IDomainCommand;

    /// <summary>A command that changes state; refused on a read-only connection.</summary>
    public interface IWriteCommand : IDomainCommand;

    /// <summary>Defines or redefines a persistent domain (virsh define).</summary>
    /// <param name="Host">In a cluster: the node to define it on, or "auto" for the node with the most free memory that can run it.</param>
    public sealed record DefineDomain(string Xml, string? Host = null) : IWriteCommand;

    /// <summary>Removes the persistent config; a running domain keeps running as transient (virsh undefine).</summary>
    public sealed record UndefineDomain(DomainRef Domain, DomainUndefineFlags Flags = DomainUndefineFlags.None) : IWriteCommand;

    /// <summary>Creates and starts a transient domain (virsh create).</summary>
    /// <param name="Host">In a cluster: the node to run it on, or "auto" (see <see cref="DefineDomain"/>).</param>
    public sealed record CreateDomain(string Xml, DomainCreateFlags Flags = DomainCreateFlags.None, string? Host = null) : IWriteCommand;

    /// <summary>Finds one domain (virsh domname / domuuid / dominfo lookups).</summary>
    public sealed record LookupDomain(DomainRef Domain) : IDomainCommand;

    /// <summary>Lists domains matching libvirt's list filters (virsh list).</summary>
    /// <param name="AllHosts">In a cluster: every node's domains, each with its Host (virt list --hosts).</param>
    /// <param name="Host">In a cluster: only this node's domains (virt list --host NODE).</param>
    public sealed record ListDomains(ListDomainsFlags Filter = ListDomainsFlags.All, bool AllHosts = false, string? Host = null) : IDomainCommand
    {
        /// <summary>Whether the list spans the cluster rather than this node alone.</summary>
        public bool AcrossCluster => AllHosts || Host is not null;
    }

    /// <summary>Moves a domain to another node of the cluster (virt migrate DOM NODE); only <c>--offline --persistent</c> so far.</summary>
    /// <param name="TimeoutSeconds">virsh's --timeout: a live migration still running after this many seconds suspends the guest so it completes.</param>
    public sealed record MigrateDomain(DomainRef Domain, string Node, DomainMigrateFlags Flags = DomainMigrateFlags.None, int? TimeoutSeconds = null) : IWriteCommand;

    /// <summary>Turns autostart on or off for a persistent domain (virsh autostart [--disable]).</summary>
    public sealed record SetAutostart(DomainRef Domain, bool Enabled) : IWriteCommand;

    /// <summary>The domain's XML: the live one, or with Inactive the config of its next start (virsh dumpxml).</summary>
    /// <remarks>Secure includes the display passwords (virsh dumpxml --security-info); read-only connections may not ask.</remarks>
    public sealed record GetDomainXml(DomainRef Domain, bool Inactive = false, bool Secure = false) : IDomainCommand;

    /// <summary>State, memory and vCPUs (virsh dominfo).</summary>
    public sealed record GetDomainInfo(DomainRef Domain) : IDomainCommand;

    /// <summary>Starts a defined domain (virsh start).</summary>
    public sealed record StartDomain(DomainRef Domain, DomainCreateFlags Flags = DomainCreateFlags.None) : IWriteCommand;

    /// <summary>
    /// Asks the guest to power off (virsh shutdown). Like libvirt the reply comes once the request is sent;
    /// with <paramref name="WaitFor"/> it comes when the domain has shut off, or fails after that long.
    /// </summary>
    public sealed record ShutdownDomain(DomainRef Domain, TimeSpan? WaitFor = null) : IWriteCommand;

    /// <summary>Kills the domain's QEMU at once (virsh destroy); Graceful sends SIGTERM only, never SIGKILL.</summary>
    public sealed record DestroyDomain(DomainRef Domain, DomainDestroyFlags Flags = DomainDestroyFlags.None) : IWriteCommand;

    /// <summary>Pauses the vCPUs (virsh suspend).</summary>
    public sealed record SuspendDomain(DomainRef Domain) : IWriteCommand;

    /// <summary>Resumes paused vCPUs (virsh resume).</summary>
    public sealed record ResumeDomain(DomainRef Domain) : IWriteCommand;

    /// <summary>Asks the guest to reboot (virsh reboot).</summary>
    public sealed record RebootDomain(DomainRef Domain) : IWriteCommand;

    /// <summary>Resets the machine without asking the guest (virsh reset).</summary>
    public sealed record ResetDomain(DomainRef Domain) : IWriteCommand;

    /// <summary>
    /// Sends one raw QMP command ({"execute": ..., "arguments": ...}) to the domain's QEMU (virsh
    /// qemu-monitor-command); taints the domain, as Virt can no longer vouch for its state.
    /// </summary>
    public sealed record QemuMonitorCommand(DomainRef Domain, string Json) : IWriteCommand;

    /// <summary>
    /// Takes over a QEMU started outside Virt (virsh qemu-attach): its definition is rebuilt from its command line,
    /// it must have a QMP monitor on a UNIX socket; it becomes a transient domain tainted external-launch.
    /// </summary>
    public sealed record AttachDomain(int Pid) : IWriteCommand;
}
