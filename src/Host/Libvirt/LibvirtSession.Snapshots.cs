using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Api.DomainSnapshots;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Snapshots: a snapshot handle is its name and its domain's handle (remote_nonnull_domain_snapshot); the procedures
// virsh's snapshot-* verbs and python's snapshot API call.
internal sealed partial class LibvirtSession
{
    private static (DomainRef Domain, RemoteDomain Handle, string Name) ReadSnapshot(XdrReader args)
    {
        var name = args.String(P.StringMax, "snap.name");
        var dom = RemoteDomain.Read(args, "snap.dom");
        return (Ref(dom), dom, name);
    }

    private static XdrWriter WriteSnapshot(XdrWriter w, string name, RemoteDomain dom)
    {
        w.String(name);
        dom.Write(w);
        return w;
    }

    private async Task<RemoteDomain> HandleOfAsync(DomainRef dom, CancellationToken ct) =>
        Handle(await CallAsync<DomainSummary>(new DomainCommands.LookupDomain(dom), ct).ConfigureAwait(false));

    private async Task<XdrWriter?> SnapshotCreateAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var xml = args.String(P.StringMax, "xml_desc");
        var flags = (SnapshotCreateFlags)args.UInt("flags");
        args.End("snapshot create");
        var made = await CallAsync<SnapshotDescription>(new CreateSnapshot(dom, xml, flags), ct).ConfigureAwait(false);
        return WriteSnapshot(new XdrWriter(), made.Name, await HandleOfAsync(dom, ct).ConfigureAwait(false));
    }

    private async Task<IReadOnlyList<SnapshotDescription>> SnapshotsOfAsync(DomainRef dom, CancellationToken ct) =>
        (await CallAsync<SnapshotList>(new ListSnapshots(dom), ct).ConfigureAwait(false)).Snapshots;

    private async Task<SnapshotDescription> SnapshotAsync(DomainRef dom, string? name, CancellationToken ct) =>
        await CallAsync<SnapshotDescription>(new GetSnapshot(dom, name), ct).ConfigureAwait(false);

    private async Task<XdrWriter?> ListAllSnapshotsAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var needResults = args.Int("need_results");
        var flags = args.UInt("flags");
        args.End("list all snapshots");
        var all = SnapshotListFilter.Apply(await SnapshotsOfAsync(dom, ct).ConfigureAwait(false), flags).ToList();
        var w = new XdrWriter();
        if (needResults != 0)
        {
            var handle = await HandleOfAsync(dom, ct).ConfigureAwait(false);
            w.UInt((uint)all.Count);
            foreach (var s in all)
                WriteSnapshot(w, s.Name, handle);
        }
        else
        {
            w.UInt(0);
        }
        return w.Int(all.Count);
    }

    private async Task<XdrWriter?> SnapshotNumAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = args.UInt("flags");
        args.End("snapshot num");
        return new XdrWriter().Int(SnapshotListFilter.Apply(await SnapshotsOfAsync(dom, ct).ConfigureAwait(false), flags).Count());
    }

    private async Task<XdrWriter?> SnapshotListNamesAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var max = args.Int("maxnames");
        var flags = args.UInt("flags");
        args.End("snapshot list names");
        var names = SnapshotListFilter.Apply(await SnapshotsOfAsync(dom, ct).ConfigureAwait(false), flags).Select(s => s.Name).Take(Math.Max(0, max)).ToList();
        var w = new XdrWriter().UInt((uint)names.Count);
        foreach (var name in names)
            w.String(name);
        return w;
    }

    private async Task<XdrWriter?> SnapshotLookupByNameAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var name = args.String(P.StringMax, "name");
        _ = args.UInt("flags");
        args.End("snapshot lookup by name");
        var found = await SnapshotAsync(dom, name, ct).ConfigureAwait(false);
        return WriteSnapshot(new XdrWriter(), found.Name, await HandleOfAsync(dom, ct).ConfigureAwait(false));
    }

    private async Task<XdrWriter?> HasCurrentSnapshotAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        _ = args.UInt("flags");
        args.End("has current snapshot");
        return new XdrWriter().Int((await SnapshotsOfAsync(dom, ct).ConfigureAwait(false)).Any(s => s.Current) ? 1 : 0);
    }

    private async Task<XdrWriter?> SnapshotCurrentAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        _ = args.UInt("flags");
        args.End("snapshot current");
        var current = await SnapshotAsync(dom, null, ct).ConfigureAwait(false);
        return WriteSnapshot(new XdrWriter(), current.Name, await HandleOfAsync(dom, ct).ConfigureAwait(false));
    }

    private async Task<XdrWriter?> SnapshotGetXmlDescAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, _, name) = ReadSnapshot(args);
        _ = args.UInt("flags");
        args.End("snapshot xml");
        return new XdrWriter().String((await SnapshotAsync(dom, name, ct).ConfigureAwait(false)).Xml);
    }

    private async Task<XdrWriter?> SnapshotGetParentAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, handle, name) = ReadSnapshot(args);
        _ = args.UInt("flags");
        args.End("snapshot parent");
        var parent = (await SnapshotAsync(dom, name, ct).ConfigureAwait(false)).Parent
            ?? throw new VirtException(ErrorCode.NoDomainSnapshot, $"snapshot '{name}' does not have a parent");
        return WriteSnapshot(new XdrWriter(), parent, handle);
    }

    /// <summary>virDomainSnapshotNumChildren: its children, or with VIR_DOMAIN_SNAPSHOT_LIST_DESCENDANTS (1) all below it.</summary>
    private async Task<XdrWriter?> SnapshotNumChildrenAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, _, name) = ReadSnapshot(args);
        var flags = args.UInt("flags");
        args.End("snapshot num children");
        var all = await SnapshotsOfAsync(dom, ct).ConfigureAwait(false);
        await SnapshotAsync(dom, name, ct).ConfigureAwait(false);
        int Below(string parent) => all.Where(c => c.Parent == parent).Sum(c => 1 + ((flags & 1) != 0 ? Below(c.Name) : 0));
        return new XdrWriter().Int(Below(name));
    }

    private async Task<XdrWriter?> SnapshotIsCurrentAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, _, name) = ReadSnapshot(args);
        _ = args.UInt("flags");
        args.End("snapshot is current");
        return new XdrWriter().Int((await SnapshotAsync(dom, name, ct).ConfigureAwait(false)).Current ? 1 : 0);
    }

    /// <summary>Every snapshot Virt lists has its metadata kept by Virt.</summary>
    private async Task<XdrWriter?> SnapshotHasMetadataAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, _, name) = ReadSnapshot(args);
        _ = args.UInt("flags");
        args.End("snapshot has metadata");
        await SnapshotAsync(dom, name, ct).ConfigureAwait(false);
        return new XdrWriter().Int(1);
    }

    private async Task<XdrWriter?> RevertToSnapshotAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, _, name) = ReadSnapshot(args);
        var flags = (SnapshotRevertFlags)args.UInt("flags");
        args.End("revert to snapshot");
        await CallAsync<DomainSummary>(new RevertSnapshot(dom, name, flags), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> SnapshotDeleteAsync(XdrReader args, CancellationToken ct)
    {
        var (dom, _, name) = ReadSnapshot(args);
        var flags = (SnapshotDeleteFlags)args.UInt("flags");
        args.End("snapshot delete");
        await CallAsync<DomainSummary>(new DeleteSnapshot(dom, name, flags), ct).ConfigureAwait(false);
        return null;
    }
}
