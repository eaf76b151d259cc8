using Akka.Actor;
using Virt.Protocol.Errors;
using Virt.Supervisor.Live;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Display clients (virDomainOpenGraphicsFD): a short monitor job, since getfd and add_client share one fd name in QEMU.
public sealed partial class DomainActor
{
    private void OpenGraphicsClient(RunningVm vm, OpenGraphics m)
    {
        string protocol;
        try
        {
            protocol = GraphicsClients.Protocol(vm.Live, m.Index);
        }
        catch (VirtException e)
        {
            _from.Tell(ErrorReply.From(e));
            return;
        }
        if (BeginMonitorJob(vm, JobKind.OpenGraphics) is not var (job, process))
            return;
        var (token, name) = (job.Token, Name);
        GraphicsClients.OpenAsync(process.Qmp, protocol, m.SkipAuth, Settings.QmpTimeout)
            .PipeTo(Self, success: socket => new JobReplied(token, new GraphicsOpened(name) { Socket = socket }, null),
                failure: e => new JobReplied(token, null, e));
    }

    /// <summary>A reply nobody will receive must not keep the socket it carries open.</summary>
    private static void Discard(IDomainReply? reply) => (reply as GraphicsOpened)?.Socket?.Dispose();
}
