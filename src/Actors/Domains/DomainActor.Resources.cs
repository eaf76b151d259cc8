using Akka.Actor;
using Virt.Actors.Registry;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Supervisor.Stats;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// A running domain's resources: its memory through QEMU's balloon.
public sealed partial class DomainActor
{
    private void SetLiveMemory(RunningVm vm, DomainResources.SetMemory m)
    {
        if (m.Flags.HasFlag(DomainModificationFlags.Maximum))
        {
            _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, "cannot resize the maximum memory on an active domain"));
            return;
        }
        if (!DomainStatsReader.HasBalloon(vm.Live))
        {
            _from.Tell(new ErrorReply(ErrorCode.OperationInvalid, "Unable to change memory of active domain without the balloon device being enabled"));
            return;
        }
        Protocol.Domains.DomainDefinition changed;
        try
        {
            changed = ResourceChanges.WithMemory(vm.Live, m.KiB, maximum: false);
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return;
        }
        // The balloon's target is asked for; the guest's driver reaches it in its own time (BALLOON_CHANGE), as in libvirt.
        RunQmp(vm, JobKind.SetMemory, "balloon", new { value = m.KiB * 1024 }, completed: _ =>
        {
            vm.Live = changed;
            return WriteStatus(vm) is { } failure ? ErrorReply.From(failure) : Summary();
        });
    }
}
