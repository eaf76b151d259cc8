using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Host.Libvirt;

// DOMAIN_GET_SCHEDULER_TYPE as libvirt's qemu driver answers it without cgroups: no CPU tuning in session mode; on the
// system daemon a shut-off domain gets the defaults ("posix", 9 parameters) and a running one has no cpu controller.
internal sealed partial class LibvirtSession
{
    private const int SchedulerParameterCount = 9;

    private async Task<XdrWriter?> GetSchedulerTypeAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("get scheduler type");
        var summary = await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false);
        if (defaultUri != "qemu:///system")
            throw new VirtException(ErrorCode.OperationUnsupported, "CPU tuning is not available in session mode");
        if (summary.Active)
            throw new VirtException(ErrorCode.OperationInvalid, "cgroup CPU controller is not mounted");
        return new XdrWriter().String("posix").Int(SchedulerParameterCount);
    }

    /// <summary>libvirt 9.0's qemu driver never sets a domain's updated flag: always 0.</summary>
    private async Task<XdrWriter?> IsUpdatedAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("is updated");
        _ = await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false);
        return new XdrWriter().Int(0);
    }
}
