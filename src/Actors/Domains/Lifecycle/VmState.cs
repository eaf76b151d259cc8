using Virt.Protocol.Events;

namespace Virt.Actors.Domains.Lifecycle;

/// <summary>What the daemon has asked of a live QEMU and not yet seen happen.</summary>
internal enum VmRequest
{
    None,
    /// <summary>An ACPI shutdown was asked for: the guest's power-off is the user's (shutdown (user)).</summary>
    Shutdown,
    /// <summary>libvirt's fake reboot: the next SHUTDOWN resets and continues; the reset's STOP and RESUME are not the user's.</summary>
    Reboot,
    /// <summary>A save is under way: the vCPUs' STOP is the save's (paused (save)).</summary>
    Save,
    /// <summary>A snapshot is taken or loaded: QEMU's STOP and RESUME belong to it; its end says the state.</summary>
    Snapshot,
    /// <summary>The guest is being sent to another node: the STOP at the switch-over is the migration's (paused (migrating)).</summary>
    Migrate,
}

/// <summary>
/// A domain whose QEMU runs (or is being started or adopted): libvirt's state and reason, what was asked of it, and
/// what decides its end. One value, replaced by <see cref="VmLifecycle"/> on every input.
/// </summary>
internal sealed record VmState(DomainState State, int Reason)
{
    public VmRequest Request { get; init; }
    /// <summary>Destroy is killing it: its exit is destroyed, and nothing but QEMU's SHUTDOWN is reported meanwhile.</summary>
    public bool Destroying { get; init; }
    /// <summary>QEMU reported SHUTDOWN: its exit is a shutdown (unless destroyed).</summary>
    public bool ShutdownSeen { get; init; }
    /// <summary>The guest panicked: its end is Stopped Crashed, not a QEMU that died (Stopped Failed).</summary>
    public bool Panicked { get; init; }
    /// <summary>Its state is in a save image: QEMU is being ended, its exit is shut off (saved) and nothing else is reported.</summary>
    public bool Saved { get; init; }
    /// <summary>It runs on another node now: QEMU is being ended, its exit is shut off (migrated) and nothing else is reported.</summary>
    public bool Migrated { get; init; }

    /// <summary>Panics reset by on_crash restart in a row (each within <see cref="VmLifecycle.CrashWindow"/> of the last), and when the last was.</summary>
    public int CrashRestarts { get; init; }
    public DateTimeOffset? LastCrashRestart { get; init; }

    /// <summary>A reset is asked for or under way: QEMU's STOP and RESUME belong to it.</summary>
    public bool Rebooting => Request == VmRequest.Reboot;

    public static VmState Starting { get; } = new(DomainState.Paused, (int)PausedReason.StartingUp);

    /// <summary>As a status file recorded it, for a reconnect.</summary>
    public static VmState Recorded(DomainState state, int reason) => new(state, reason) { ShutdownSeen = state == DomainState.Shutdown };
}
