using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Events;
using static Virt.Actors.Domains.Lifecycle.VmEffect;
using static Virt.Actors.Domains.Lifecycle.VmInput;

namespace Virt.Actors.Domains.Lifecycle;

/// <summary>The domain a step concerns: what its events name and what its lifecycle actions say.</summary>
internal sealed record VmContext(DomainName Name, DomainUuid Uuid, LifecycleAction OnPoweroff, LifecycleAction OnReboot, LifecycleAction OnCrash)
{
    public static VmContext Of(DomainName name, DomainUuid uuid, DomainDefinition live) => new(name, uuid, live.OnPoweroff, live.OnReboot, live.OnCrash);
}

/// <summary>
/// libvirt's rules for a live domain, pure: from a state and an input (QEMU's events, the daemon's requests and their
/// outcomes, QEMU's exit, a reconnect's findings) to the next state and the effects the actor carries out. The states,
/// reasons and event sequences are libvirt 9.0's (docs/libvirt-9.0-lifecycle.md).
/// </summary>
internal static class VmLifecycle
{
    /// <summary>Panics this close to the previous restart count as a loop: each waits twice as long, up to <see cref="MaxCrashDelay"/>.</summary>
    public static readonly TimeSpan CrashWindow = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxCrashDelay = TimeSpan.FromSeconds(60);

    /// <summary>No wait for the first restart, then 1, 2, 4 ... seconds.</summary>
    public static TimeSpan CrashDelay(int restartsInARow) =>
        restartsInARow <= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(MaxCrashDelay.TotalSeconds, Math.Pow(2, restartsInARow - 2)));

    public static VmStep Step(VmState s, VmInput input, VmContext d) => input switch
    {
        QemuEvent e => Event(s, e, d),
        Launched { Incoming: true } => VmStep.Same(s with { State = DomainState.Paused, Reason = (int)PausedReason.Migration, Request = VmRequest.Migrate }),
        Launched l => new(l.Paused ? s with { State = DomainState.Paused, Reason = (int)PausedReason.User }
            : s with { State = DomainState.Running, Reason = (int)(l.Restored ? RunningReason.Restored : RunningReason.Booted) }, []),
        SaveAsked => VmStep.Same(s with { Request = VmRequest.Save }),
        MigrateAsked => VmStep.Same(s with { Request = VmRequest.Migrate }),
        MigrateConfirmed => new(s with { Migrated = true, Request = VmRequest.None }, [new Kill(Graceful: false, AbortJob: false)]),
        MigrateFailed f => MigrationFailed(s, f.WasRunning, d),
        IncomingDone => Enter(s with { Request = VmRequest.None }, DomainState.Running, (int)RunningReason.Migrated, DomainLifecycleEvent.Resumed(d.Name, d.Uuid, ResumedDetail.Migrated)),
        SaveDone => new(s with { Saved = true, Request = VmRequest.None }, [new Kill(Graceful: false, AbortJob: false)]),
        SaveFailed f => SaveFailed(s, f.WasRunning, d),
        SnapshotAsked => VmStep.Same(s with { Request = VmRequest.Snapshot }),
        SnapshotDone done => SnapshotDone(s with { Request = VmRequest.None }, done.Running, d),
        Suspended => s.State == DomainState.Running ? Paused(s, PausedReason.User, d) : VmStep.Same(s),
        Resumed => s.State is DomainState.Paused or DomainState.Crashed ? Running(s, RunningReason.Unpaused, d) : VmStep.Same(s),
        ShutdownAsked => VmStep.Same(s with { Request = VmRequest.Shutdown }),
        ShutdownFailed => VmStep.Same(s with { Request = VmRequest.None }),
        // With on_reboot destroy the guest's power-off ends the domain, as libvirt's reboot then does.
        RebootAsked => VmStep.Same(d.OnReboot is LifecycleAction.Destroy or LifecycleAction.CoredumpDestroy ? s : s with { Request = VmRequest.Reboot }),
        RebootFailed => VmStep.Same(s.Rebooting ? s with { Request = VmRequest.None } : s),
        DestroyAsked { Deferred: true } => VmStep.Same(s with { Destroying = true }),
        DestroyAsked a => new(s with { Destroying = true }, [new Kill(a.Graceful, AbortJob: true)]),
        KillFailed => VmStep.Same(s with { Destroying = false }),
        ResetDone r => ResetFinished(s, r.Error, d),
        Exited e => Exit(s, e.How),
        Adopted a => Adopt(s, a, d),
        AdoptFailed f => AdoptionFailed(s, f),
        _ => throw new ArgumentOutOfRangeException(nameof(input), input, "not a lifecycle input"),
    };

    private static VmStep Event(VmState s, QemuEvent e, VmContext d)
    {
        // Our own SIGTERM makes QEMU report SHUTDOWN (host-signal): libvirt reports Shutdown Finished after host request
        // before Stopped Destroyed; nothing else changes while destroying.
        if (s.Saved || s.Migrated)
            return VmStep.Same(s); // as libvirt, a saved (migrated) domain's end is Stopped Saved (Migrated) alone
        if (s.Destroying)
        {
            return e.Name == "SHUTDOWN" && !s.ShutdownSeen
                ? Enter(s with { ShutdownSeen = true }, DomainState.Shutdown, (int)ShutdownReason.Unknown, DomainLifecycleEvent.ShutdownEvent(d.Name, d.Uuid, ShutdownDetail.Host))
                : VmStep.Same(s);
        }
        return e.Name switch
        {
            "GUEST_PANICKED" => Panicked(s, e.At, d),
            "STOP" or "RESUME" when s.Request == VmRequest.Snapshot => VmStep.Same(s),
            "STOP" when s.State == DomainState.Running && s.Request == VmRequest.Save => Paused(s, PausedReason.Save, d),
            "STOP" when s.State == DomainState.Running && s.Request == VmRequest.Migrate =>
                Enter(s, DomainState.Paused, (int)PausedReason.Migration, DomainLifecycleEvent.Suspended(d.Name, d.Uuid, SuspendedDetail.Migrated)),
            "RESUME" when s.Request == VmRequest.Migrate => VmStep.Same(s), // a failed migration's cont: MigrateFailed reports it
            "STOP" when s.State == DomainState.Running && !s.Rebooting => Paused(s, e.SuspendInFlight ? PausedReason.User : PausedReason.Unknown, d),
            "RESUME" when s.State is DomainState.Paused or DomainState.Crashed && !s.Rebooting => Running(s, RunningReason.Unpaused, d),
            // After a panic, on_crash destroy's SIGTERM makes QEMU report SHUTDOWN too: libvirt reports only the crash.
            "SHUTDOWN" when s.State != DomainState.Shutdown && !s.Panicked => GuestShutdown(s, e, d),
            "RESET" => new(s, [new Rebooted()]),
            _ => VmStep.Same(s),
        };
    }

    /// <summary>
    /// QEMU (run with -no-shutdown) reports the guest powered off: state shutdown, the SHUTDOWN event, then the
    /// domain's lifecycle action: destroy quits QEMU, restart (or our reboot) resets it, preserve keeps it.
    /// </summary>
    private static VmStep GuestShutdown(VmState s, QemuEvent e, VmContext d)
    {
        var action = e.Reason == "guest-reset" ? d.OnReboot : d.OnPoweroff;
        if (s.Rebooting || IsRestart(action))
        {
            // A reboot (ours, or a restart action): no lifecycle event, the domain stays running.
            return new(s with { Request = VmRequest.Reboot }, [new ResetAndContinue()]);
        }
        var detail = e.Guest switch { true => ShutdownDetail.Guest, false => ShutdownDetail.Host, null => ShutdownDetail.Finished };
        var reason = s.Request == VmRequest.Shutdown ? ShutdownReason.User : ShutdownReason.Unknown;
        var entered = Enter(s with { ShutdownSeen = true }, DomainState.Shutdown, (int)reason, DomainLifecycleEvent.ShutdownEvent(d.Name, d.Uuid, detail));
        return action == LifecycleAction.Preserve ? entered : entered.Then(new Kill(Graceful: false, AbortJob: false));
    }

    /// <summary>
    /// The guest panicked (QEMU with -no-shutdown pauses it): Suspended Paused and Crashed Panicked, then on_crash:
    /// destroy ends it (Stopped Crashed), restart resets it to running (crashed), preserve keeps it crashed (panicked).
    /// </summary>
    private static VmStep Panicked(VmState s, DateTimeOffset at, VmContext d)
    {
        if (s.State == DomainState.Crashed)
            return VmStep.Same(s);
        var step = new VmStep(s with { Panicked = true }, []);
        if (s.State == DomainState.Running)
            step = step.Enter(DomainState.Paused, (int)PausedReason.Crashed, DomainLifecycleEvent.Suspended(d.Name, d.Uuid, SuspendedDetail.Paused));
        step = step.Enter(DomainState.Crashed, (int)CrashedReason.Panicked, DomainLifecycleEvent.Crashed(d.Name, d.Uuid, CrashedDetail.Panicked));
        if (IsRestart(d.OnCrash))
        {
            // A guest that panics again soon after its restart would otherwise loop as fast as it boots.
            var inARow = s.LastCrashRestart is { } last && at - last < CrashWindow ? s.CrashRestarts + 1 : 1;
            var delay = CrashDelay(inARow);
            var next = step.Next with { Request = VmRequest.Reboot, CrashRestarts = inARow, LastCrashRestart = at };
            var note = delay == TimeSpan.Zero
                ? "the guest panicked; resetting it (on_crash)"
                : $"the guest panicked again ({inARow} in a row); resetting it in {delay.TotalSeconds:0} s (on_crash)";
            return new VmStep(next, step.Effects).Then(new Note(note), new ResetAndContinue(delay));
        }
        return d.OnCrash switch
        {
            LifecycleAction.Preserve => step.Then(new Note("the guest panicked; kept as it is (on_crash preserve)")),
            _ => step.Then(new Note("the guest panicked; stopping it (on_crash)"), new Kill(Graceful: false, AbortJob: false)),
        };
    }

    /// <summary>
    /// A reboot's reset and cont finished. After a panic with on_crash restart libvirt reports running (crashed) with
    /// Resumed Unpaused; a reboot of a running domain changes nothing a client sees. A failed reset stops the domain.
    /// </summary>
    private static VmStep ResetFinished(VmState s, string? error, VmContext d)
    {
        var cleared = s with { Request = VmRequest.None, ShutdownSeen = false };
        if (error is not null)
        {
            return new(cleared with { ShutdownSeen = !s.Panicked },
                [new Note($"reboot failed ({error}); stopping it", Warning: true), new Kill(Graceful: false, AbortJob: false)]);
        }
        var reason = s.Panicked ? RunningReason.Crashed : RunningReason.Booted;
        cleared = cleared with { Panicked = false };
        return s.State == DomainState.Running
            ? new(cleared, [new WriteStatus()])
            : Enter(cleared, DomainState.Running, (int)reason, DomainLifecycleEvent.Resumed(d.Name, d.Uuid, ResumedDetail.Unpaused));
    }

    /// <summary>
    /// QEMU is gone: destroyed if we killed it, shut down if it reported SHUTDOWN, otherwise crashed. As libvirt, a QEMU
    /// that died is Stopped Failed and never restarted; on_crash is for a guest that panicked (Stopped Crashed).
    /// </summary>
    private static VmStep Exit(VmState s, string how)
    {
        if (s.Saved)
            return new(s with { State = DomainState.Shutoff, Reason = (int)ShutoffReason.Saved }, [new Stop(ShutoffReason.Saved, null, how)]);
        if (s.Migrated)
            return new(s with { State = DomainState.Shutoff, Reason = (int)ShutoffReason.Migrated }, [new Stop(ShutoffReason.Migrated, null, how)]);
        var reason = s.Destroying ? ShutoffReason.Destroyed : s.ShutdownSeen ? ShutoffReason.Shutdown : ShutoffReason.Crashed;
        var died = reason == ShutoffReason.Crashed && !s.Panicked;
        return new(s with { State = DomainState.Shutoff, Reason = (int)reason }, [new Stop(reason, died ? StoppedDetail.Failed : null, how)]);
    }

    /// <summary>A reconnect found QEMU in <see cref="Adopted.QemuStatus"/>; the state the status file recorded is corrected to it.</summary>
    private static VmStep Adopt(VmState s, Adopted a, VmContext d)
    {
        var step = new VmStep(a.Autodestroy ? s with { Destroying = true } : s,
            a.Autodestroy ? [new Note("its owner connection is gone: destroying it (autodestroy)")] : []);
        var now = step.Next;
        step = a.QemuStatus switch
        {
            "running" => now.State != DomainState.Running
                ? step.Enter(DomainState.Running, (int)RunningReason.Unknown, DomainLifecycleEvent.Resumed(d.Name, d.Uuid, ResumedDetail.Unpaused))
                : step.Then(new WriteStatus()),
            "guest-panicked" => now.State != DomainState.Crashed
                ? (step with { Next = now with { Panicked = true } }).Enter(DomainState.Crashed, (int)CrashedReason.Panicked,
                    DomainLifecycleEvent.Crashed(d.Name, d.Uuid, CrashedDetail.Panicked))
                : (step with { Next = now with { Panicked = true } }).Then(new WriteStatus()),
            "shutdown" => PoweroffAction(now.State != DomainState.Shutdown
                ? (step with { Next = now with { ShutdownSeen = true } }).Enter(DomainState.Shutdown, (int)ShutdownReason.Unknown,
                    DomainLifecycleEvent.ShutdownEvent(d.Name, d.Uuid, ShutdownDetail.Finished))
                : step, d),
            // paused, prelaunch (a start cut short), or another stopped run state
            _ when now.State == DomainState.Shutdown => PoweroffAction(step, d),
            _ => now.State != DomainState.Paused
                ? step.Enter(DomainState.Paused, (int)PausedReason.Unknown, DomainLifecycleEvent.Suspended(d.Name, d.Uuid, SuspendedDetail.Paused))
                : step.Then(new WriteStatus()),
        };
        return step.Next.Destroying ? step.Then(new Kill(Graceful: false, AbortJob: false)) : step;
    }

    /// <summary>
    /// A reconnect that could not use QEMU's monitor. A QEMU that lives is killed, as nothing could control it: shut off
    /// (daemon), libvirt's reason for a domain the daemon itself stopped. One that died meanwhile ends as its exit would
    /// have: destroyed, shut down when the status file shows the shutdown was under way, otherwise Stopped Failed.
    /// </summary>
    private static VmStep AdoptionFailed(VmState s, AdoptFailed f)
    {
        if (f.QemuAlive)
        {
            var killed = s.Destroying ? ShutoffReason.Destroyed : ShutoffReason.Daemon;
            return new(s with { State = DomainState.Shutoff, Reason = (int)killed },
                [new Note($"QEMU pid {f.Pid} runs but its monitor cannot be used ({f.Error}); killing it", Warning: true), new KillOrphan(f.Pid), new Stop(killed, null)]);
        }
        var reason = s.Destroying ? ShutoffReason.Destroyed : s.State == DomainState.Shutdown ? ShutoffReason.Shutdown : ShutoffReason.Crashed;
        return new(s with { State = DomainState.Shutoff, Reason = (int)reason },
            [new Note($"QEMU pid {f.Pid} is gone ({f.Error}); shut off ({StatusNames.Reason(DomainState.Shutoff, (int)reason)})", Warning: true),
             new Stop(reason, reason == ShutoffReason.Crashed ? StoppedDetail.Failed : null)]);
    }

    /// <summary>A failed save gives the guest back as it was: one the save paused runs again (running (save canceled)).</summary>
    private static VmStep SaveFailed(VmState s, bool wasRunning, VmContext d)
    {
        var cleared = s with { Request = VmRequest.None };
        if (!wasRunning || s.State != DomainState.Paused || s.Reason != (int)PausedReason.Save)
            return VmStep.Same(cleared);
        return Enter(cleared, DomainState.Running, (int)RunningReason.SaveCanceled, DomainLifecycleEvent.Resumed(d.Name, d.Uuid, ResumedDetail.Unpaused))
            .Then(new Continue());
    }

    /// <summary>A failed migration gives the guest back: one the switch-over paused runs again (running (migration canceled)).</summary>
    private static VmStep MigrationFailed(VmState s, bool wasRunning, VmContext d)
    {
        var cleared = s with { Request = VmRequest.None };
        if (!wasRunning || s.State != DomainState.Paused || s.Reason != (int)PausedReason.Migration)
            return VmStep.Same(cleared);
        return Enter(cleared, DomainState.Running, (int)RunningReason.MigrationCanceled, DomainLifecycleEvent.Resumed(d.Name, d.Uuid, ResumedDetail.Unpaused))
            .Then(new Continue());
    }

    /// <summary>After a snapshot's savevm or loadvm: a revert that changed whether the vCPUs run reports it as from the snapshot.</summary>
    private static VmStep SnapshotDone(VmState s, bool running, VmContext d) => (s.State, running) switch
    {
        (DomainState.Paused, true) => Enter(s, DomainState.Running, (int)RunningReason.FromSnapshot, DomainLifecycleEvent.Resumed(d.Name, d.Uuid, ResumedDetail.FromSnapshot)),
        (DomainState.Running, false) => Enter(s, DomainState.Paused, (int)PausedReason.FromSnapshot, DomainLifecycleEvent.Suspended(d.Name, d.Uuid, SuspendedDetail.FromSnapshot)),
        _ => VmStep.Same(s),
    };

    /// <summary>A domain found shut down at reconnect gets its on_poweroff action, unless it is being destroyed anyway.</summary>
    private static VmStep PoweroffAction(VmStep step, VmContext d)
    {
        if (step.Next.Destroying)
            return step;
        if (IsRestart(d.OnPoweroff))
            return new VmStep(step.Next with { Request = VmRequest.Reboot }, step.Effects).Then(new ResetAndContinue());
        return d.OnPoweroff == LifecycleAction.Preserve ? step : step.Then(new Kill(Graceful: false, AbortJob: false));
    }

    private static VmStep Paused(VmState s, PausedReason reason, VmContext d) =>
        Enter(s, DomainState.Paused, (int)reason, DomainLifecycleEvent.Suspended(d.Name, d.Uuid, SuspendedDetail.Paused));

    private static VmStep Running(VmState s, RunningReason reason, VmContext d) =>
        Enter(s, DomainState.Running, (int)reason, DomainLifecycleEvent.Resumed(d.Name, d.Uuid, ResumedDetail.Unpaused));

    private static VmStep Enter(VmState s, DomainState state, int reason, DomainLifecycleEvent? evt) =>
        new VmStep(s, []).Enter(state, reason, evt);

    private static bool IsRestart(LifecycleAction action) =>
        action is LifecycleAction.Restart or LifecycleAction.RenameRestart or LifecycleAction.CoredumpRestart;
}
