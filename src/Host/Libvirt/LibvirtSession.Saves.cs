using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSaves;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Save images: virDomainSave(Flags), virDomainRestore(Flags), managed save and its image.
internal sealed partial class LibvirtSession
{
    private async Task<XdrWriter?> SaveAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var to = args.String(P.StringMax, "to");
        var flags = withFlags ? SaveFlags(args) : DomainSaveFlags.None;
        args.End("save");
        await CallAsync<DomainSummary>(new SaveDomain(dom, to, flags), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> RestoreAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var from = args.String(P.StringMax, "from");
        var flags = withFlags ? SaveFlags(args) : DomainSaveFlags.None;
        args.End("restore");
        await CallAsync<DomainSummary>(new RestoreDomain(from, flags), ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>dxml, then the flags: a replacement XML for the image is not supported.</summary>
    private static DomainSaveFlags SaveFlags(XdrReader args)
    {
        if (args.OptionalString(P.StringMax, "dxml") is not null)
            throw new VirtException(ErrorCode.OperationUnsupported, "replacing the domain XML of a save image is not supported");
        return (DomainSaveFlags)args.UInt("flags");
    }

    private async Task<XdrWriter?> ManagedSaveAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = (DomainSaveFlags)args.UInt("flags");
        args.End("managed save");
        await CallAsync<DomainSummary>(new ManagedSaveDomain(dom, flags), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> HasManagedSaveImageAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        _ = args.UInt("flags");
        args.End("has managed save image");
        var info = await CallAsync<DomainInfo>(new DomainCommands.GetDomainInfo(dom), ct).ConfigureAwait(false);
        return new XdrWriter().Int(info.HasManagedSave ? 1 : 0);
    }

    private async Task<XdrWriter?> ManagedSaveRemoveAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        _ = args.UInt("flags");
        args.End("managed save remove");
        await CallAsync<DomainSummary>(new RemoveManagedSave(dom), ct).ConfigureAwait(false);
        return null;
    }
}
