using Virt.Protocol.Events;

namespace Virt.Actors.Domains.Lifecycle;

/// <summary>What the shell does for a step, in order.</summary>
internal abstract record VmEffect
{
    /// <summary>A transition: write the status file, tell the registry, which publishes the event (if any).</summary>
    public sealed record Enter(DomainState State, int Reason, DomainLifecycleEvent? Event) : VmEffect;

    /// <summary>Record the unchanged state again (the status file follows the live definition or a flag).</summary>
    public sealed record WriteStatus : VmEffect;

    /// <summary>system_reset then cont, off the actor, after <paramref name="Delay"/>; the outcome comes back as <see cref="VmInput.ResetDone"/>.</summary>
    public sealed record ResetAndContinue(TimeSpan Delay = default) : VmEffect;

    /// <summary>End QEMU: SIGTERM, then SIGKILL after the kill timeout unless graceful; a destroy fails the job in flight.</summary>
    public sealed record Kill(bool Graceful, bool AbortJob) : VmEffect;

    /// <summary>QMP cont: the vCPUs run again (after a save that failed).</summary>
    public sealed record Continue : VmEffect;

    /// <summary>Kill a QEMU this daemon could not adopt, by its recorded pid through a pidfd (no process handle exists).</summary>
    public sealed record KillOrphan(int Pid) : VmEffect;

    /// <summary>QEMU reset the guest: libvirt's reboot event.</summary>
    public sealed record Rebooted : VmEffect;

    /// <summary>
    /// The domain is shut off: release QEMU, remove its runtime files, tell the registry and the waiters. A Failed
    /// detail is a QEMU that died unexpectedly; <paramref name="How"/> is the exit's, for the log.
    /// </summary>
    public sealed record Stop(ShutoffReason Reason, StoppedDetail? Detail, string How = "") : VmEffect;

    /// <summary>A line for the domain's log, for decisions a reader of the log should see.</summary>
    public sealed record Note(string Message, bool Warning = false) : VmEffect;
}

/// <summary>One step's outcome.</summary>
internal sealed record VmStep(VmState Next, IReadOnlyList<VmEffect> Effects)
{
    public static VmStep Same(VmState state) => new(state, []);

    /// <summary>This step, then a transition to <paramref name="state"/>.</summary>
    public VmStep Enter(DomainState state, int reason, DomainLifecycleEvent? evt) =>
        new(Next with { State = state, Reason = reason }, [.. Effects, new VmEffect.Enter(state, reason, evt)]);

    public VmStep Then(params VmEffect[] more) => new(Next, [.. Effects, .. more]);
}
