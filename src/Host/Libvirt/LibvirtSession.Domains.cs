using Virt.Protocol.Api;
using Virt.Protocol.Errors;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Lookups, lists and what a domain is: info, state, OS type, XML, autostart, persistence, messages, security label.
internal sealed partial class LibvirtSession
{
    private const uint XmlSecure = 1;
    private const uint XmlInactive = 2;

    /// <summary>The handle of a domain as libvirt sends it: its id, -1 while inactive.</summary>
    private static RemoteDomain Handle(DomainSummary d) => new(d.Name.Value, d.Uuid.Value, d.Id ?? -1);

    private static XdrWriter Dom(DomainSummary d)
    {
        var w = new XdrWriter();
        Handle(d).Write(w);
        return w;
    }

    /// <summary>A domain named in a call: by its UUID alone, since the id a client cached may be stale.</summary>
    private static DomainRef Ref(RemoteDomain dom) => DomainRef.ByUuid(new DomainUuid(dom.Uuid));

    private static DomainRef ReadDom(XdrReader args, string what = "dom") => Ref(RemoteDomain.Read(args, what));

    private static LibvirtFault NoDomain(string matching) =>
        new(new LibvirtError(LibvirtError.NoDomain, LibvirtError.FromQemu, $"Domain not found: no domain with matching {matching}"));

    private async Task<XdrWriter?> LookupByNameAsync(XdrReader args, CancellationToken ct)
    {
        var name = args.String(P.StringMax, "name");
        args.End("lookup by name");
        if (DomainName.Problem(name) is not null)
            throw NoDomain($"name '{name}'");
        return Dom(await CallAsync<DomainSummary>(new LookupDomain(DomainRef.ByName(name)), ct).ConfigureAwait(false));
    }

    /// <summary>Exactly by UUID: Virt's own lookup tries names too, libvirt's never does.</summary>
    private async Task<XdrWriter?> LookupByUuidAsync(XdrReader args, CancellationToken ct)
    {
        var uuid = new Guid(args.FixedOpaque(16, "uuid"), bigEndian: true);
        args.End("lookup by uuid");
        var found = await TryLookupAsync(DomainRef.ByUuid(new DomainUuid(uuid)), ct).ConfigureAwait(false);
        return found is { } d && d.Uuid.Value == uuid ? Dom(d) : throw NoDomain($"uuid '{uuid:D}'");
    }

    /// <summary>Exactly by running id: a shut-off domain named like the number is not an id match here.</summary>
    private async Task<XdrWriter?> LookupByIdAsync(XdrReader args, CancellationToken ct)
    {
        var id = args.Int("id");
        args.End("lookup by id");
        var found = id > 0 ? await TryLookupAsync(DomainRef.ById(id), ct).ConfigureAwait(false) : null;
        return found is { } d && d.Id == id ? Dom(d) : throw NoDomain($"id {id}");
    }

    private async Task<DomainSummary?> TryLookupAsync(DomainRef domain, CancellationToken ct) =>
        await Connection.CallAsync(new LookupDomain(domain), ct).ConfigureAwait(false) as DomainSummary;

    private async Task<XdrWriter?> ListAllDomainsAsync(XdrReader args, CancellationToken ct)
    {
        var needResults = args.Int("need_results");
        var flags = args.UInt("flags");
        args.End("list all domains");
        var list = await CallAsync<DomainList>(new ListDomains((ListDomainsFlags)flags), ct).ConfigureAwait(false);
        var w = new XdrWriter();
        if (needResults != 0)
        {
            if (list.Domains.Count > P.DomainListMax)
                throw new VirtException(ErrorCode.OperationFailed, $"too many domains ({list.Domains.Count}) for one reply (limit {P.DomainListMax})");
            w.UInt((uint)list.Domains.Count);
            foreach (var d in list.Domains)
                Handle(d).Write(w);
        }
        else
        {
            w.UInt(0);
        }
        return w.UInt((uint)list.Domains.Count);
    }

    private async Task<XdrWriter?> NumOfDomainsAsync(XdrReader args, bool active, CancellationToken ct)
    {
        args.End("num of domains");
        var list = await CallAsync<DomainList>(new ListDomains(active ? ListDomainsFlags.Active : ListDomainsFlags.Inactive), ct).ConfigureAwait(false);
        return new XdrWriter().Int(list.Domains.Count);
    }

    private async Task<XdrWriter?> ListDomainIdsAsync(XdrReader args, CancellationToken ct)
    {
        var max = args.Int("maxids");
        args.End("list domains");
        if (max is < 0 or > P.DomainIdListMax)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"maxids {max} must be between 0 and {P.DomainIdListMax}"));
        var list = await CallAsync<DomainList>(new ListDomains(ListDomainsFlags.Active), ct).ConfigureAwait(false);
        var ids = list.Domains.Select(d => d.Id ?? 0).Take(max).ToList();
        var w = new XdrWriter().UInt((uint)ids.Count);
        foreach (var id in ids)
            w.Int(id);
        return w;
    }

    private async Task<XdrWriter?> ListDefinedDomainsAsync(XdrReader args, CancellationToken ct)
    {
        var max = args.Int("maxnames");
        args.End("list defined domains");
        if (max is < 0 or > P.DomainNameListMax)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"maxnames {max} must be between 0 and {P.DomainNameListMax}"));
        var list = await CallAsync<DomainList>(new ListDomains(ListDomainsFlags.Inactive), ct).ConfigureAwait(false);
        var names = list.Domains.Select(d => d.Name.Value).Take(max).ToList();
        var w = new XdrWriter().UInt((uint)names.Count);
        foreach (var name in names)
            w.String(name);
        return w;
    }

    /// <summary>remote_domain_get_info_ret: the state (an unsigned char) and vCPU count (an unsigned short) take 4 bytes each.</summary>
    private async Task<XdrWriter?> GetInfoAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("get info");
        var info = await CallAsync<DomainInfo>(new GetDomainInfo(dom), ct).ConfigureAwait(false);
        return new XdrWriter().UInt((uint)info.Domain.State).UHyper(info.MaxMemoryKiB).UHyper(info.MemoryKiB)
            .UInt((uint)info.Vcpus).UHyper(info.CpuTimeNs);
    }

    private async Task<XdrWriter?> GetStateAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        _ = args.UInt("flags");
        args.End("get state");
        var d = await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false);
        return new XdrWriter().Int((int)d.State).Int(d.Reason);
    }

    /// <summary>Every domain Virt runs is a full virtual machine.</summary>
    private async Task<XdrWriter?> GetOsTypeAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("get os type");
        await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false);
        return new XdrWriter().String("hvm");
    }

    /// <summary>The live XML, or with VIR_DOMAIN_XML_INACTIVE the config; the security-info, update-cpu and migratable flags change nothing here.</summary>
    private async Task<XdrWriter?> GetXmlDescAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = args.UInt("flags");
        args.End("get xml desc");
        var xml = await CallAsync<DomainXmlDescription>(new GetDomainXml(dom, Inactive: (flags & XmlInactive) != 0, Secure: (flags & XmlSecure) != 0), ct).ConfigureAwait(false);
        return new XdrWriter().String(xml.Xml);
    }

    private async Task<XdrWriter?> GetAutostartAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("get autostart");
        return new XdrWriter().Int((await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false)).Autostart ? 1 : 0);
    }

    private async Task<XdrWriter?> SetAutostartAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var autostart = args.Int("autostart");
        args.End("set autostart");
        await CallAsync<DomainSummary>(new SetAutostart(dom, autostart != 0), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> IsActiveAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("is active");
        return new XdrWriter().Int((await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false)).Active ? 1 : 0);
    }

    private async Task<XdrWriter?> IsPersistentAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("is persistent");
        return new XdrWriter().Int((await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false)).Persistent ? 1 : 0);
    }

    /// <summary>The taints, in libvirt's words, as virsh dominfo shows them under Messages.</summary>
    private async Task<XdrWriter?> GetMessagesAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        _ = args.UInt("flags");
        args.End("get messages");
        var info = await CallAsync<DomainInfo>(new GetDomainInfo(dom), ct).ConfigureAwait(false);
        var messages = info.Taints.Select(TaintMessage).Take(P.DomainMessagesMax).ToList();
        var w = new XdrWriter().UInt((uint)messages.Count);
        foreach (var message in messages)
            w.String(message);
        return w;
    }

    private static string TaintMessage(string taint) => "tainted: " + taint switch
    {
        "custom-argv" => "custom configuration parameters specified",
        "custom-monitor" => "custom monitor control commands issued",
        "external-launch" => "managing externally launched configuration",
        _ => taint,
    };

    /// <summary>No security driver: an empty label, not enforcing.</summary>
    private async Task<XdrWriter?> GetSecurityLabelAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("get security label");
        await CallAsync<DomainSummary>(new LookupDomain(dom), ct).ConfigureAwait(false);
        return new XdrWriter().CharArray("").Int(0);
    }
}
