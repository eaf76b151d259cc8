namespace Virt.Actors.Domains.Lifecycle;

/// <summary>What can happen to a live domain: QEMU's news, the daemon's requests and their outcomes.</summary>
internal abstract record VmInput
{
    /// <summary>A QMP event; <paramref name="SuspendInFlight"/> when a suspend job is waiting for it (STOP is then the user's).</summary>
    /// <param name="At">When it arrived: a panic's restart backs off from the one before it.</param>
    public sealed record QemuEvent(string Name, bool? Guest = null, string? Reason = null, bool SuspendInFlight = false, DateTimeOffset At = default) : VmInput;

    /// <summary>The suspend job's stop was acknowledged (its STOP event may not have come yet).</summary>
    public sealed record Suspended : VmInput;

    /// <summary>The resume job's cont was acknowledged.</summary>
    public sealed record Resumed : VmInput;

    public sealed record ShutdownAsked : VmInput;

    public sealed record ShutdownFailed : VmInput;

    public sealed record RebootAsked : VmInput;

    public sealed record RebootFailed : VmInput;

    /// <summary>Destroy; <paramref name="Deferred"/> while a reconnect adopts QEMU: the kill comes with the adoption.</summary>
    public sealed record DestroyAsked(bool Graceful, bool Deferred = false) : VmInput;

    /// <summary>The kill did not end QEMU (SIGTERM only, or the kill failed): it is not being destroyed any more.</summary>
    public sealed record KillFailed : VmInput;

    /// <summary>The system_reset and cont of a reboot finished, or failed with <paramref name="Error"/>.</summary>
    public sealed record ResetDone(string? Error) : VmInput;

    /// <summary>
    /// The started QEMU is up: running, or paused when started paused; <paramref name="Restored"/> from a save image;
    /// <paramref name="Incoming"/> waiting for another node's migration stream (paused (migrating)).
    /// </summary>
    public sealed record Launched(bool Paused, bool Restored = false, bool Incoming = false) : VmInput;

    /// <summary>A migration to another node began.</summary>
    public sealed record MigrateAsked : VmInput;

    /// <summary>The destination runs the guest: this QEMU goes, and the domain is shut off (migrated).</summary>
    public sealed record MigrateConfirmed : VmInput;

    /// <summary>The migration failed or was given up: a guest that ran before it runs again here.</summary>
    public sealed record MigrateFailed(bool WasRunning) : VmInput;

    /// <summary>On the destination: the stream is loaded and the vCPUs run (running (migrated)).</summary>
    public sealed record IncomingDone : VmInput;

    /// <summary>A save began: the vCPUs are being stopped for it.</summary>
    public sealed record SaveAsked : VmInput;

    /// <summary>The guest's state is in the save image: QEMU can go.</summary>
    public sealed record SaveDone : VmInput;

    /// <summary>savevm, loadvm or delvm is about to run.</summary>
    public sealed record SnapshotAsked : VmInput;

    /// <summary>It ended; the vCPUs run or not as <paramref name="Running"/> says (a revert's target state).</summary>
    public sealed record SnapshotDone(bool Running) : VmInput;

    /// <summary>The save failed; a guest that ran before it runs again.</summary>
    public sealed record SaveFailed(bool WasRunning) : VmInput;

    /// <summary>QEMU is gone; <paramref name="How"/> says how ("exited with code 0"), for the log.</summary>
    public sealed record Exited(string How = "") : VmInput;

    /// <summary>A reconnect reached QEMU: its run state from query-status; <paramref name="Autodestroy"/> when its owner is gone.</summary>
    public sealed record Adopted(string QemuStatus, bool Autodestroy) : VmInput;

    /// <summary>A reconnect could not use QEMU's monitor; <paramref name="QemuAlive"/> when the recorded process still runs.</summary>
    public sealed record AdoptFailed(bool QemuAlive, int Pid, string Error) : VmInput;
}
