namespace Virt.Protocol.Events;

/// <summary>virsh's words for states and reasons ("running", "shut off (destroyed)").</summary>
public static class DomainStates
{
    private static readonly string[] StateNames =
        ["no state", "running", "idle", "paused", "in shutdown", "shut off", "crashed", "pmsuspended"];

    private static readonly string[] Unknown = ["unknown"];

    /// <summary>Virt's own: a domain of a cluster node that cannot be reached is in no state anyone can know.</summary>
    private static readonly string[] NoStateReasons = ["unknown", "host unreachable"];

    private static readonly string[] RunningReasons =
    [
        "unknown", "booted", "migrated", "restored", "from snapshot", "unpaused", "migration canceled",
        "save canceled", "event wakeup", "crashed", "post-copy", "post-copy failed",
    ];

    private static readonly string[] PausedReasons =
    [
        "unknown", "user", "migrating", "saving", "dumping", "I/O error", "watchdog", "from snapshot",
        "shutting down", "creating snapshot", "crashed", "starting up", "post-copy", "post-copy failed", "api error",
    ];

    private static readonly string[] ShutdownReasons = ["unknown", "user"];

    private static readonly string[] ShutoffReasons =
        ["unknown", "shutdown", "destroyed", "crashed", "migrated", "saved", "failed", "from snapshot", "daemon"];

    private static readonly string[] CrashedReasons = ["unknown", "panicked"];

    /// <summary>virsh domstate: "shut off".</summary>
    public static string Name(DomainState state) =>
        (int)state >= 0 && (int)state < StateNames.Length ? StateNames[(int)state] : "no state";

    /// <summary>The reason alone, as virsh prints it in parentheses.</summary>
    public static string ReasonName(DomainState state, int reason)
    {
        var names = state switch
        {
            DomainState.Running => RunningReasons,
            DomainState.Paused => PausedReasons,
            DomainState.Shutdown => ShutdownReasons,
            DomainState.Shutoff => ShutoffReasons,
            DomainState.Crashed => CrashedReasons,
            DomainState.NoState => NoStateReasons,
            _ => Unknown,
        };
        return reason >= 0 && reason < names.Length ? names[reason] : "unknown";
    }

    /// <summary>The state as a list shows it: a domain on an unreachable node is "unknown" rather than libvirt's "no state".</summary>
    public static string Name(DomainState state, int reason) =>
        state == DomainState.NoState && reason == (int)NoStateReason.HostUnreachable ? "unknown" : Name(state);

    /// <summary>virsh domstate --reason: "shut off (destroyed)".</summary>
    public static string Describe(DomainState state, int reason) => $"{Name(state, reason)} ({ReasonName(state, reason)})";

    /// <summary>Whether libvirt counts the state as active (a QEMU process exists).</summary>
    public static bool IsActive(DomainState state) => state is not (DomainState.Shutoff or DomainState.NoState);
}
