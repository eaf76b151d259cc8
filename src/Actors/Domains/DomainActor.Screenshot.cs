using Akka.Actor;
using Virt.Protocol.Errors;
using Virt.Supervisor.Live;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Screenshot: QEMU writes a PNG into the domain's runtime directory; the bytes go back to the client in the reply.
public sealed partial class DomainActor
{
    /// <summary>The end of a job whose reply was made off the actor (not from a QMP answer the actor reads).</summary>
    private sealed record JobReplied(long Job, IDomainReply? Reply, Exception? Error);

    private void Screenshot(RunningVm vm, int screen)
    {
        ScreenTarget target;
        try
        {
            target = Screendump.Target(vm.Live, screen);
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return;
        }
        if (BeginMonitorJob(vm, JobKind.Screenshot) is not var (job, process))
            return;
        var runtimeDir = Settings.Paths.DomainRuntimeDir(vm.Id);
        var token = job.Token;
        Screendump.TakeAsync(process.Qmp, runtimeDir, target, Settings.QmpTimeout)
            .PipeTo(Self, success: png => new JobReplied(token, new ScreenshotImage(ScreenshotImage.Png, png), null),
                failure: e => new JobReplied(token, null, e));
    }

    private void CompleteJob(JobReplied m)
    {
        if (InFlight?.Token != m.Job)
        {
            Discard(m.Reply); // ended meanwhile (destroy, stop)
            return;
        }
        EndJob(m.Reply ?? Failure(m.Error!));
    }
}
