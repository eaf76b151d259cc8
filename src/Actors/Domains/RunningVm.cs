using Akka.Actor;
using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Domains;
using Virt.Supervisor.Processes;

namespace Virt.Actors.Domains;

/// <summary>One incarnation of a domain's QEMU as its actor sees it; replaced on every start or reconnect.</summary>
internal sealed class RunningVm(long incarnation, int id, DomainDefinition live, string? owner)
{
    private DomainDefinition _live = live;
    private string? _liveXml;

    /// <summary>Tags every async result for this QEMU, so a late one for an older QEMU is dropped.</summary>
    public long Incarnation { get; } = incarnation;
    public int Id { get; } = id;
    /// <summary>Set once more after the start when QEMU allocated something itself (an autoport VNC display).</summary>
    public DomainDefinition Live
    {
        get => _live;
        set
        {
            _live = value;
            _liveXml = null;
        }
    }
    /// <summary>The autodestroy owner recorded in the status file; an incoming migration's, until the guest runs here.</summary>
    public string? Owner { get; set; } = owner;

    /// <summary>Null while the process is being spawned or adopted.</summary>
    public QemuProcess? Process { get; set; }
    public CancellationTokenSource? Launch { get; set; }
    public List<string> Taints { get; init; } = [];
    /// <summary>The live XML for the status file, formatted once per change.</summary>
    public string LiveXml => _liveXml ??= DomainXml.Format(_live, secure: true);

    /// <summary>libvirt's state of this QEMU's domain and what is under way, as the lifecycle's rules keep it.</summary>
    public VmState State { get; set; } = VmState.Starting;
    /// <summary>Why the last status write failed; null once one succeeded.</summary>
    public Virt.Protocol.Errors.VirtException? StatusWriteFailure { get; set; }
    /// <summary>The destroys waiting for the end: the first is answered with the stopped domain, later ones as libvirt does.</summary>
    public List<IActorRef> DestroyWaiters { get; } = [];
    /// <summary>Devices asked to go (device_del) whose DEVICE_DELETED has not come: device id to the disk's target.</summary>
    public Dictionary<string, string> PendingUnplugs { get; } = [];
    /// <summary>This QEMU's vCPU threads, once a stats query learnt them.</summary>
    public Supervisor.Stats.VcpuThreads VcpuThreads { get; } = new();
    /// <summary>The open console sessions, one per device; they end with this incarnation.</summary>
    public Consoles.ConsoleSessions<Consoles.ConsoleSession> Consoles { get; } = new();
}
