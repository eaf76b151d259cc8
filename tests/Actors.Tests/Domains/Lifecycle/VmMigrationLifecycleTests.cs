using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Api;
using Virt.Protocol.Domains;
using Virt.Protocol.Events;
using static Virt.Actors.Domains.Lifecycle.VmEffect;
using static Virt.Actors.Domains.Lifecycle.VmInput;

namespace Virt.Actors.Tests.Domains.Lifecycle;

/// <summary>A live migration's states and events on each side, as libvirt reports them, without a QEMU.</summary>
public sealed class VmMigrationLifecycleTests
{
    private static readonly VmContext Vm = new(new DomainName("vm"), new DomainUuid(Guid.Parse("6f0e4c2a-3b1d-4e5f-8a9b-0c1d2e3f4a5b")),
        LifecycleAction.Destroy, LifecycleAction.Restart, LifecycleAction.Destroy);

    private static readonly VmState Running = new(DomainState.Running, (int)RunningReason.Booted);

    private static (VmState State, List<VmEffect> Effects) Run(VmState start, params VmInput[] inputs)
    {
        var effects = new List<VmEffect>();
        foreach (var input in inputs)
        {
            var step = VmLifecycle.Step(start, input, Vm);
            start = step.Next;
            effects.AddRange(step.Effects);
        }
        return (start, effects);
    }

    private static List<string> Events(IEnumerable<VmEffect> effects) =>
        [.. effects.OfType<Enter>().Where(e => e.Event is not null).Select(e => e.Event!.Display)];

    [Fact]
    public void The_source_is_suspended_migrated_at_the_switch_over_and_stopped_migrated_once_confirmed()
    {
        var (state, effects) = Run(Running, new MigrateAsked(), new QemuEvent("STOP"), new MigrateConfirmed(), new QemuEvent("SHUTDOWN"), new Exited("exited with code 0"));
        Assert.Equal(["Suspended Migrated"], Events(effects));
        Assert.Contains(effects, e => e is Kill);
        Assert.Equal((DomainState.Shutoff, (int)ShutoffReason.Migrated), (state.State, state.Reason));
        Assert.Equal(ShutoffReason.Migrated, effects.OfType<Stop>().Single().Reason);
    }

    [Fact]
    public void A_failed_migration_runs_the_guest_on_here_migration_canceled_and_says_so_once()
    {
        var (state, effects) = Run(Running, new MigrateAsked(), new QemuEvent("STOP"), new MigrateFailed(WasRunning: true), new QemuEvent("RESUME"));
        Assert.Equal(["Suspended Migrated", "Resumed Unpaused"], Events(effects));
        Assert.Contains(effects, e => e is Continue);
        Assert.Equal((DomainState.Running, (int)RunningReason.MigrationCanceled, VmRequest.None), (state.State, state.Reason, state.Request));
        // Given up before the switch-over, the guest never stopped: nothing to report.
        Assert.Empty(Events(Run(Running, new MigrateAsked(), new MigrateFailed(WasRunning: true)).Effects));
    }

    [Fact]
    public void The_destination_waits_paused_migrating_and_runs_resumed_migrated_with_no_other_event()
    {
        var (state, effects) = Run(VmState.Starting, new Launched(Paused: true, Incoming: true), new QemuEvent("RESUME"), new IncomingDone());
        Assert.Equal(["Resumed Migrated"], Events(effects));
        Assert.Equal((DomainState.Running, (int)RunningReason.Migrated, VmRequest.None), (state.State, state.Reason, state.Request));
        var waiting = Run(VmState.Starting, new Launched(Paused: true, Incoming: true)).State;
        Assert.Equal((DomainState.Paused, (int)PausedReason.Migration), (waiting.State, waiting.Reason));
    }
}
