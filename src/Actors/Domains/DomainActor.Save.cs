using Akka.Actor;
using Akka.Event;
using Virt.Actors.Domains.Lifecycle;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Supervisor.Save;
using static Virt.Protocol.Api.DomainJobs;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Actors.Domains;

// Save: the vCPUs stop (paused (save)), the header and live XML go to the image, QEMU appends its state, then QEMU is
// ended and the domain is shut off (saved). A failure leaves the domain as it was, and the image is removed.
public sealed partial class DomainActor
{
    private void Save(RunningVm vm, string path)
    {
        var wasRunning = vm.State.State == DomainState.Running;
        Apply(vm, new VmInput.SaveAsked(), settle: false);
        var job = BeginJob(JobKind.Save, completed: r =>
        {
            _completedJob = new JobStats(DomainJobType.Completed, MigrationJobStats.From(r, DomainJobOperation.Save, InFlight!.ElapsedMs));
            _jobs.Update(InFlight! with { SucceedsOnStop = true }); // answered when QEMU is gone and the domain shut off (saved)
            Apply(vm, new VmInput.SaveDone(), settle: false);
            return null;
        }, failed: () => Apply(vm, new VmInput.SaveFailed(wasRunning)), operation: DomainJobOperation.Save);
        var (qmp, xml, timeout, token, abort) = (vm.Process!.Qmp, vm.LiveXml, Settings.QmpTimeout, job.Token, job.Abort!.Token);
        var socket = MigrationSocket(vm.Id);
        Task.Run(async () =>
        {
            if (wasRunning)
                await qmp.ExecuteAsync("stop", null, timeout).ConfigureAwait(false);
            try
            {
                await using var image = SaveImage.Create(path, xml, wasRunning);
                return await MigrationToFile.SaveAsync(qmp, image, socket, timeout, abort).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                SaveImage.Discard(path);
                throw new VirtException(ErrorCode.OperationAborted, "job 'domain save' canceled by client");
            }
            catch
            {
                SaveImage.Discard(path); // half an image is no image
                throw;
            }
        }).PipeTo(Self, success: r => new JobDone(token, r, null), failure: e => new JobDone(token, default, e));
    }

    /// <summary>Where QEMU's migration stream passes through the daemon, in the domain's own runtime directory.</summary>
    private string MigrationSocket(int id) => Path.Combine(Settings.Paths.DomainRuntimeDir(id), "migrate.sock");

    /// <summary>As libvirt: a managed image the guest now runs from is spent; a later start boots.</summary>
    private void RemoveManagedImage(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warning("Domain {Domain}: restored, but its managed save image {Path} could not be removed: {Error}", Name, path, e.Message);
        }
    }
}
