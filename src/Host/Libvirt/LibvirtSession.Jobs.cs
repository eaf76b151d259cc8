using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainJobs;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Host.Libvirt;

// A domain's long job (virsh domjobinfo, domjobabort, and the progress of save --verbose): the typed parameters, and
// the old fixed struct virsh's progress bar polls.
internal sealed partial class LibvirtSession
{
    /// <summary>REMOTE_DOMAIN_JOB_STATS_MAX.</summary>
    private const int JobStatsMax = 64;

    /// <summary>VIR_DOMAIN_ABORT_JOB_POSTCOPY: Virt runs no post-copy migration.</summary>
    private const uint AbortPostcopy = 1;

    private async Task<XdrWriter?> GetJobInfoAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("get job info");
        var info = DomainJobInfo.Of(await CallAsync<JobStats>(new GetJobStats(dom), ct).ConfigureAwait(false));
        return new XdrWriter().Int((int)info.Type).UHyper(info.TimeElapsed).UHyper(info.TimeRemaining)
            .UHyper(info.DataTotal).UHyper(info.DataProcessed).UHyper(info.DataRemaining)
            .UHyper(info.MemTotal).UHyper(info.MemProcessed).UHyper(info.MemRemaining)
            .UHyper(info.FileTotal).UHyper(info.FileProcessed).UHyper(info.FileRemaining);
    }

    private async Task<XdrWriter?> GetJobStatsAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = args.UInt("flags");
        args.End("get job stats");
        if ((flags & ~(uint)(DomainJobStatsFlags.Completed | DomainJobStatsFlags.KeepCompleted)) != 0)
            throw new VirtException(ErrorCode.InvalidArg, $"unsupported flags (0x{flags & ~3u:x}) in function qemuDomainGetJobStats");
        var stats = await CallAsync<JobStats>(new GetJobStats(dom, (DomainJobStatsFlags)flags), ct).ConfigureAwait(false);
        return TypedParameters.Write(new XdrWriter().Int((int)stats.Type), stats.Fields.Take(JobStatsMax).ToList());
    }

    private async Task<XdrWriter?> AbortJobAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = withFlags ? args.UInt("flags") : 0;
        args.End("abort job");
        if ((flags & ~AbortPostcopy) != 0)
            throw new VirtException(ErrorCode.InvalidArg, $"unsupported flags (0x{flags & ~AbortPostcopy:x}) in function qemuDomainAbortJobFlags");
        if (flags != 0)
            throw new VirtException(ErrorCode.OperationInvalid, "current job is not outgoing migration in post-copy mode");
        await CallAsync<DomainSummary>(new AbortJob(dom), ct).ConfigureAwait(false);
        return null;
    }
}
