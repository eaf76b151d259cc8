using Virt.Protocol.Api;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainResources;

namespace Virt.Host.Libvirt;

// Memory and vCPUs: virDomainSetMemory (live), SetMaxMemory (current, maximum), SetMemoryFlags, SetVcpus (live), SetVcpusFlags.
internal sealed partial class LibvirtSession
{
    private async Task<XdrWriter?> SetMemoryAsync(XdrReader args, DomainModificationFlags? fixedFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var kib = args.UHyper("memory");
        var flags = fixedFlags ?? (DomainModificationFlags)args.UInt("flags");
        args.End("set memory");
        await CallAsync<DomainSummary>(new SetMemory(dom, kib, flags), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> SetVcpusAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var count = args.UInt("nvcpus");
        var flags = withFlags ? (DomainModificationFlags)args.UInt("flags") : DomainModificationFlags.Live;
        args.End("set vcpus");
        await CallAsync<DomainSummary>(new SetVcpus(dom, (int)Math.Min(count, int.MaxValue), flags), ct).ConfigureAwait(false);
        return null;
    }
}
