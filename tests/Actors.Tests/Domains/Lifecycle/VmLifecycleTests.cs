using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Events;
using static Virt.Actors.Domains.Lifecycle.VmEffect;
using static Virt.Actors.Domains.Lifecycle.VmInput;

namespace Virt.Actors.Tests.Domains.Lifecycle;

/// <summary>
/// libvirt's rules for a live domain without a QEMU: each transition with its state, reason, event and effects, as the
/// recorded libvirt 9.0 session has them (docs/libvirt-9.0-lifecycle.md).
/// </summary>
public sealed class VmLifecycleTests
{
    private static readonly DomainName Name = new("vm");
    private static readonly DomainUuid Uuid = new(Guid.Parse("6f0e4c2a-3b1d-4e5f-8a9b-0c1d2e3f4a5b"));

    private static VmContext Actions(LifecycleAction poweroff = LifecycleAction.Destroy, LifecycleAction reboot = LifecycleAction.Restart,
        LifecycleAction crash = LifecycleAction.Destroy) => new(Name, Uuid, poweroff, reboot, crash);

    private static readonly VmState Running = new(DomainState.Running, (int)RunningReason.Booted);
    private static readonly VmState Paused = new(DomainState.Paused, (int)PausedReason.User);

    /// <summary>Feeds the inputs in order; returns the last state and every effect.</summary>
    private static (VmState State, List<VmEffect> Effects) Run(VmState start, VmContext context, params VmInput[] inputs)
    {
        var effects = new List<VmEffect>();
        var state = start;
        foreach (var input in inputs)
        {
            var step = VmLifecycle.Step(state, input, context);
            state = step.Next;
            effects.AddRange(step.Effects);
        }
        return (state, effects);
    }

    private static (VmState State, List<VmEffect> Effects) Run(VmState start, params VmInput[] inputs) => Run(start, Actions(), inputs);

    /// <summary>The events the registry would publish, as "Type Detail".</summary>
    private static List<string> Events(IEnumerable<VmEffect> effects) =>
        [.. effects.OfType<Enter>().Where(e => e.Event is not null).Select(e => $"{e.Event!.Type} {e.Event.Detail}")];

    private static string Of(DomainEventType type, object detail) => $"{type} {(int)detail}";

    private static void AssertState(VmState state, DomainState expected, object reason)
    {
        Assert.Equal(expected, state.State);
        Assert.Equal((int)reason, state.Reason);
    }

    [Fact]
    public void A_start_is_paused_starting_up_then_running_booted_or_paused_user()
    {
        AssertState(VmState.Starting, DomainState.Paused, PausedReason.StartingUp);
        AssertState(Run(VmState.Starting, new Launched(Paused: false)).State, DomainState.Running, RunningReason.Booted);
        AssertState(Run(VmState.Starting, new Launched(Paused: true)).State, DomainState.Paused, PausedReason.User);
    }

    [Fact]
    public void Suspend_and_resume_are_the_users_and_a_stop_from_elsewhere_is_unknown()
    {
        var (paused, effects) = Run(Running, new QemuEvent("STOP", SuspendInFlight: true));
        AssertState(paused, DomainState.Paused, PausedReason.User);
        Assert.Equal([Of(DomainEventType.Suspended, SuspendedDetail.Paused)], Events(effects));

        AssertState(Run(Running, new QemuEvent("STOP")).State, DomainState.Paused, PausedReason.Unknown);

        // The suspend's reply settles the state when its STOP event has not come; a second STOP changes nothing.
        var (replied, once) = Run(Running, new VmInput.Suspended(), new QemuEvent("STOP", SuspendInFlight: true));
        AssertState(replied, DomainState.Paused, PausedReason.User);
        Assert.Single(Events(once));

        var (resumed, resumeEffects) = Run(Paused, new QemuEvent("RESUME"), new VmInput.Resumed());
        AssertState(resumed, DomainState.Running, RunningReason.Unpaused);
        Assert.Equal([Of(DomainEventType.Resumed, ResumedDetail.Unpaused)], Events(resumeEffects));
    }

    [Theory]
    [InlineData(true, ShutdownDetail.Guest)]
    [InlineData(false, ShutdownDetail.Host)]
    [InlineData(null, ShutdownDetail.Finished)]
    public void A_guest_poweroff_is_shutdown_then_on_poweroff_destroy_quits_qemu_and_the_exit_is_a_shutdown(bool? guest, ShutdownDetail detail)
    {
        var (down, effects) = Run(Running, new QemuEvent("SHUTDOWN", Guest: guest));
        AssertState(down, DomainState.Shutdown, ShutdownReason.Unknown);
        Assert.Equal([Of(DomainEventType.Shutdown, detail)], Events(effects));
        Assert.Contains(effects, e => e is Kill { AbortJob: false });

        var (off, stop) = Run(down, new Exited());
        AssertState(off, DomainState.Shutoff, ShutoffReason.Shutdown);
        Assert.Equal(new Stop(ShutoffReason.Shutdown, null), Assert.Single(stop));
    }

    [Fact]
    public void An_acpi_shutdown_the_user_asked_for_is_shutdown_user_and_a_failed_request_forgets_it()
    {
        AssertState(Run(Running, new ShutdownAsked(), new QemuEvent("SHUTDOWN", Guest: true)).State, DomainState.Shutdown, ShutdownReason.User);
        AssertState(Run(Running, new ShutdownAsked(), new ShutdownFailed(), new QemuEvent("SHUTDOWN", Guest: true)).State,
            DomainState.Shutdown, ShutdownReason.Unknown);
    }

    [Fact]
    public void On_poweroff_preserve_keeps_qemu_and_restart_resets_without_an_event()
    {
        var (kept, keptEffects) = Run(Running, Actions(poweroff: LifecycleAction.Preserve), new QemuEvent("SHUTDOWN", Guest: true));
        AssertState(kept, DomainState.Shutdown, ShutdownReason.Unknown);
        Assert.DoesNotContain(keptEffects, e => e is Kill);

        var (restarted, effects) = Run(Running, Actions(poweroff: LifecycleAction.Restart), new QemuEvent("SHUTDOWN", Guest: true));
        AssertState(restarted, DomainState.Running, RunningReason.Booted);
        Assert.Equal([new ResetAndContinue()], effects);
        Assert.True(restarted.Rebooting);
    }

    [Fact]
    public void A_reboot_resets_on_the_guests_poweroff_hides_the_resets_stop_and_resume_and_ends_running_as_before()
    {
        var (done, effects) = Run(Running, new RebootAsked(), new QemuEvent("SHUTDOWN", Guest: true), new QemuEvent("STOP"),
            new QemuEvent("RESET"), new QemuEvent("RESUME"), new ResetDone(null));
        AssertState(done, DomainState.Running, RunningReason.Booted);
        Assert.Empty(Events(effects));
        Assert.Equal([typeof(ResetAndContinue), typeof(Rebooted), typeof(WriteStatus)], effects.Select(e => e.GetType()));
        Assert.Equal(VmRequest.None, done.Request);

        // With on_reboot destroy the reboot's power-off ends the domain, as libvirt's reboot then does.
        var (ended, endEffects) = Run(Running, Actions(reboot: LifecycleAction.Destroy), new RebootAsked(), new QemuEvent("SHUTDOWN", Guest: true));
        AssertState(ended, DomainState.Shutdown, ShutdownReason.Unknown);
        Assert.Contains(endEffects, e => e is Kill);

        // A reboot request that failed leaves the next power-off a real one.
        AssertState(Run(Running, new RebootAsked(), new RebootFailed(), new QemuEvent("SHUTDOWN", Guest: true)).State, DomainState.Shutdown, ShutdownReason.Unknown);
    }

    [Fact]
    public void A_reset_that_fails_stops_the_domain_as_shut_down()
    {
        var (failed, effects) = Run(Running, new RebootAsked(), new QemuEvent("SHUTDOWN", Guest: true), new ResetDone("monitor gone"));
        Assert.Contains(effects, e => e is Kill { AbortJob: false });
        Assert.Contains(effects, e => e is Note { Warning: true });
        AssertState(Run(failed, new Exited()).State, DomainState.Shutoff, ShutoffReason.Shutdown);
    }

    public static TheoryData<string, DomainState, int> LiveStates() => new()
    {
        { "running", DomainState.Running, (int)RunningReason.Booted },
        { "paused", DomainState.Paused, (int)PausedReason.User },
        { "shutting down", DomainState.Shutdown, (int)ShutdownReason.User },
        { "crashed", DomainState.Crashed, (int)CrashedReason.Panicked },
        { "starting", DomainState.Paused, (int)PausedReason.StartingUp },
    };

    [Theory]
    [MemberData(nameof(LiveStates))]
    public void Destroy_in_every_state_kills_fails_the_job_and_ends_destroyed(string _, DomainState state, int reason)
    {
        var (destroying, effects) = Run(VmState.Recorded(state, reason), new DestroyAsked(Graceful: false));
        Assert.True(destroying.Destroying);
        Assert.Equal([new Kill(Graceful: false, AbortJob: true)], effects);
        // Nothing QEMU says meanwhile is reported but our SIGTERM's SHUTDOWN, once, as host-requested.
        var (dying, news) = Run(destroying, new QemuEvent("STOP"), new QemuEvent("SHUTDOWN", Guest: false), new QemuEvent("SHUTDOWN", Guest: false),
            new QemuEvent("GUEST_PANICKED"));
        List<string> expected = state == DomainState.Shutdown ? [] : [Of(DomainEventType.Shutdown, ShutdownDetail.Host)];
        Assert.Equal(expected, Events(news));
        var (off, stop) = Run(dying, new Exited());
        AssertState(off, DomainState.Shutoff, ShutoffReason.Destroyed);
        Assert.Equal(new Stop(ShutoffReason.Destroyed, null), Assert.Single(stop));
    }

    [Fact]
    public void A_graceful_destroy_that_did_not_end_qemu_is_no_longer_destroying()
    {
        var (state, effects) = Run(Running, new DestroyAsked(Graceful: true), new KillFailed());
        Assert.Equal(new Kill(Graceful: true, AbortJob: true), Assert.Single(effects));
        Assert.False(state.Destroying);
        AssertState(Run(state, new Exited()).State, DomainState.Shutoff, ShutoffReason.Crashed);
    }

    [Fact]
    public void A_qemu_that_dies_is_shut_off_crashed_with_stopped_failed()
    {
        foreach (var start in new[] { Running, Paused, VmState.Starting })
        {
            var (off, effects) = Run(start, new Exited());
            AssertState(off, DomainState.Shutoff, ShutoffReason.Crashed);
            Assert.Equal(new Stop(ShutoffReason.Crashed, StoppedDetail.Failed), Assert.Single(effects));
        }
    }

    [Fact]
    public void A_panic_is_suspended_paused_then_crashed_panicked_and_on_crash_decides()
    {
        var (stopped, effects) = Run(Running, new QemuEvent("GUEST_PANICKED"));
        AssertState(stopped, DomainState.Crashed, CrashedReason.Panicked);
        Assert.Equal([Of(DomainEventType.Suspended, SuspendedDetail.Paused), Of(DomainEventType.Crashed, CrashedDetail.Panicked)], Events(effects));
        Assert.Contains(effects, e => e is Kill { AbortJob: false });
        // on_crash destroy's SIGTERM brings a SHUTDOWN, which libvirt does not report; the end is Stopped Crashed.
        var (off, stop) = Run(stopped, new QemuEvent("SHUTDOWN", Guest: false), new Exited());
        Assert.Empty(Events(stop));
        AssertState(off, DomainState.Shutoff, ShutoffReason.Crashed);
        Assert.Equal(new Stop(ShutoffReason.Crashed, null), stop.OfType<Stop>().Single());

        var (kept, keptEffects) = Run(Paused, Actions(crash: LifecycleAction.Preserve), new QemuEvent("GUEST_PANICKED"), new QemuEvent("GUEST_PANICKED"));
        AssertState(kept, DomainState.Crashed, CrashedReason.Panicked);
        Assert.Equal([Of(DomainEventType.Crashed, CrashedDetail.Panicked)], Events(keptEffects)); // paused already; once only
        Assert.DoesNotContain(keptEffects, e => e is Kill or ResetAndContinue);

        var (restarted, restartEffects) = Run(Running, Actions(crash: LifecycleAction.Restart), new QemuEvent("GUEST_PANICKED"), new QemuEvent("RESUME"),
            new ResetDone(null));
        AssertState(restarted, DomainState.Running, RunningReason.Crashed);
        Assert.Equal([Of(DomainEventType.Suspended, SuspendedDetail.Paused), Of(DomainEventType.Crashed, CrashedDetail.Panicked),
            Of(DomainEventType.Resumed, ResumedDetail.Unpaused)], Events(restartEffects));
        Assert.False(restarted.Panicked);
    }

    [Fact]
    public void Panics_in_a_row_restart_after_a_growing_wait_and_one_long_after_restarts_at_once()
    {
        var start = DateTimeOffset.Parse("2026-12-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var restart = Actions(crash: LifecycleAction.Restart);
        var state = Running;
        var delays = new List<TimeSpan>();
        for (var i = 0; i < 9; i++)
        {
            var step = VmLifecycle.Step(state, new QemuEvent("GUEST_PANICKED", At: start + TimeSpan.FromSeconds(10 * i)), restart);
            delays.Add(step.Effects.OfType<ResetAndContinue>().Single().Delay);
            state = VmLifecycle.Step(step.Next, new ResetDone(null), restart).Next;
        }
        Assert.Equal([0, 1, 2, 4, 8, 16, 32, 60, 60], delays.Select(d => (int)d.TotalSeconds));
        var later = VmLifecycle.Step(state, new QemuEvent("GUEST_PANICKED", At: start + TimeSpan.FromHours(1)), restart);
        Assert.Equal(TimeSpan.Zero, later.Effects.OfType<ResetAndContinue>().Single().Delay);
    }

    [Theory]
    [InlineData("running", DomainState.Paused, DomainState.Running, (int)RunningReason.Unknown, true)]
    [InlineData("running", DomainState.Running, DomainState.Running, (int)RunningReason.Booted, false)]
    [InlineData("paused", DomainState.Running, DomainState.Paused, (int)PausedReason.Unknown, true)]
    [InlineData("prelaunch", DomainState.Paused, DomainState.Paused, (int)PausedReason.User, false)]
    [InlineData("guest-panicked", DomainState.Running, DomainState.Crashed, (int)CrashedReason.Panicked, true)]
    [InlineData("shutdown", DomainState.Running, DomainState.Shutdown, (int)ShutdownReason.Unknown, true)]
    [InlineData("shutdown", DomainState.Shutdown, DomainState.Shutdown, (int)ShutdownReason.User, false)]
    public void A_reconnect_corrects_the_recorded_state_to_what_qemu_says(string qemuStatus, DomainState recorded, DomainState expected, int reason, bool transition)
    {
        var recordedReason = recorded switch
        {
            DomainState.Running => (int)RunningReason.Booted,
            DomainState.Paused => (int)PausedReason.User,
            _ => (int)ShutdownReason.User,
        };
        var (state, effects) = Run(VmState.Recorded(recorded, recordedReason), Actions(poweroff: LifecycleAction.Preserve), new Adopted(qemuStatus, Autodestroy: false));
        AssertState(state, expected, reason);
        Assert.Equal(transition, effects.OfType<Enter>().Any());
        // Unchanged, the state is recorded again all the same: the status file now carries this runtime's view.
        if (!transition && expected != DomainState.Shutdown)
            Assert.Contains(effects, e => e is VmEffect.WriteStatus);
    }

    [Fact]
    public void A_reconnect_finishes_a_poweroff_and_destroys_an_autodestroy_domain_whose_owner_is_gone()
    {
        var (down, effects) = Run(VmState.Recorded(DomainState.Shutdown, (int)ShutdownReason.Unknown), new Adopted("shutdown", Autodestroy: false));
        Assert.Contains(effects, e => e is Kill); // on_poweroff destroy, which the previous runtime never carried out
        AssertState(Run(down, new Exited()).State, DomainState.Shutoff, ShutoffReason.Shutdown);

        var (orphan, orphanEffects) = Run(Running, new Adopted("running", Autodestroy: true));
        Assert.True(orphan.Destroying);
        Assert.Contains(orphanEffects, e => e is Kill { AbortJob: false }); // the adoption's own job is answered first
        AssertState(Run(orphan, new Exited()).State, DomainState.Shutoff, ShutoffReason.Destroyed);

        // A destroy that came while adopting is carried out by the adoption.
        var (queued, queuedEffects) = Run(Running, new DestroyAsked(Graceful: false, Deferred: true));
        Assert.Empty(queuedEffects);
        Assert.Contains(Run(queued, new Adopted("running", Autodestroy: false)).Effects, e => e is Kill);
    }

    [Theory]
    [InlineData(true, DomainState.Running, false, ShutoffReason.Daemon)]
    [InlineData(true, DomainState.Running, true, ShutoffReason.Destroyed)]
    [InlineData(false, DomainState.Running, false, ShutoffReason.Crashed)]
    [InlineData(false, DomainState.Shutdown, false, ShutoffReason.Shutdown)]
    [InlineData(false, DomainState.Paused, true, ShutoffReason.Destroyed)]
    public void A_reconnect_that_cannot_use_the_monitor_kills_a_live_qemu_and_buries_a_dead_one(bool alive, DomainState recorded, bool destroying, ShutoffReason expected)
    {
        var start = VmState.Recorded(recorded, 0) with { Destroying = destroying };
        var (state, effects) = Run(start, new AdoptFailed(alive, Pid: 4242, "connection refused"));
        AssertState(state, DomainState.Shutoff, expected);
        var stop = Assert.Single(effects.OfType<Stop>());
        Assert.Equal(expected, stop.Reason);
        // Only a QEMU that died on its own is libvirt's Stopped Failed; only one that lives is killed, by its pid.
        Assert.Equal(expected == ShutoffReason.Crashed ? StoppedDetail.Failed : null, stop.Detail);
        Assert.Equal(alive ? [new KillOrphan(4242)] : [], effects.OfType<KillOrphan>());
        Assert.Contains(effects.OfType<Note>(), n => n.Warning && n.Message.Contains("connection refused"));
    }

    [Fact]
    public void A_save_pauses_for_itself_then_ends_as_shut_off_saved_with_nothing_else_reported()
    {
        var (paused, pausing) = Run(Running, new SaveAsked(), new QemuEvent("STOP"));
        AssertState(paused, DomainState.Paused, PausedReason.Save);
        Assert.Equal([Of(DomainEventType.Suspended, SuspendedDetail.Paused)], Events(pausing));

        var (saved, ending) = Run(paused, new SaveDone(), new QemuEvent("SHUTDOWN", Guest: false, Reason: "host-signal"), new Exited());
        AssertState(saved, DomainState.Shutoff, ShutoffReason.Saved);
        Assert.Empty(Events(ending)); // the registry's Stopped Saved is the only event
        Assert.Contains(ending, e => e is Kill { AbortJob: false });
        Assert.Equal(ShutoffReason.Saved, Assert.Single(ending.OfType<Stop>()).Reason);
    }

    [Fact]
    public void A_failed_save_runs_the_guest_again_only_if_the_save_paused_it()
    {
        var (paused, _) = Run(Running, new SaveAsked(), new QemuEvent("STOP"));
        var (resumed, effects) = Run(paused, new SaveFailed(WasRunning: true));
        AssertState(resumed, DomainState.Running, RunningReason.SaveCanceled);
        Assert.Equal([Of(DomainEventType.Resumed, ResumedDetail.Unpaused)], Events(effects));
        Assert.Contains(effects, e => e is Continue);

        var (stillPaused, none) = Run(Paused, new SaveAsked(), new SaveFailed(WasRunning: false));
        Assert.Equal(Paused, stillPaused);
        Assert.Empty(none);
    }

    [Fact]
    public void A_restored_start_is_running_restored()
    {
        AssertState(Run(VmState.Starting, new Launched(Paused: false, Restored: true)).State, DomainState.Running, RunningReason.Restored);
        AssertState(Run(VmState.Starting, new Launched(Paused: true, Restored: true)).State, DomainState.Paused, PausedReason.User);
    }

    [Fact]
    public void A_snapshot_hides_savevms_pause_and_a_revert_reports_a_changed_run_state_as_from_the_snapshot()
    {
        var (kept, quiet) = Run(Running, new SnapshotAsked(), new QemuEvent("STOP"), new QemuEvent("RESUME"), new SnapshotDone(Running: true));
        Assert.Equal(Running, kept);
        Assert.Empty(quiet);

        var (paused, effects) = Run(Running, new SnapshotAsked(), new QemuEvent("STOP"), new SnapshotDone(Running: false));
        AssertState(paused, DomainState.Paused, PausedReason.FromSnapshot);
        Assert.Equal([Of(DomainEventType.Suspended, SuspendedDetail.FromSnapshot)], Events(effects));
        var (running, resumed) = Run(paused, new SnapshotAsked(), new SnapshotDone(Running: true));
        AssertState(running, DomainState.Running, RunningReason.FromSnapshot);
        Assert.Equal([Of(DomainEventType.Resumed, ResumedDetail.FromSnapshot)], Events(resumed));
    }

    [Fact]
    public void A_guest_reset_is_libvirts_reboot_event_and_changes_no_state()
    {
        var (state, effects) = Run(Running, new QemuEvent("RESET"));
        Assert.Equal(Running, state);
        Assert.Equal([new Rebooted()], effects);
    }
}
