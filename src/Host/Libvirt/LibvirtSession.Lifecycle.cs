using Virt.Protocol.Api;
using Virt.Protocol.Libvirt;
using Virt.Protocol.Libvirt.Xdr;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using P = Virt.Protocol.Libvirt.RemoteProcedures;

namespace Virt.Host.Libvirt;

// Define and undefine; start (with libvirt's create flags), create from XML; shutdown, reboot, reset, destroy, suspend, resume.
internal sealed partial class LibvirtSession
{
    /// <summary>VIR_DOMAIN_START_* bits Virt carries out; bypass-cache, force-boot and reset-nvram change nothing for its guests.</summary>
    private const DomainCreateFlags HonouredStartFlags = DomainCreateFlags.StartPaused | DomainCreateFlags.Autodestroy;

    private const uint KnownStartFlags = 0b11_1111;
    private const uint ShutdownAcpiPowerButton = 1;
    private const uint DestroyGraceful = 1;
    private const uint DestroyRemoveLogs = 2;

    /// <summary>VIR_DOMAIN_DEFINE_VALIDATE is met by Virt's own parser, which refuses what it does not know.</summary>
    private async Task<XdrWriter?> DefineAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var xml = args.String(P.StringMax, "xml");
        if (withFlags)
            _ = args.UInt("flags");
        args.End("define xml");
        return Dom(await CallAsync<DomainSummary>(new DefineDomain(xml), ct).ConfigureAwait(false));
    }

    /// <summary>The NVRAM flags decide what becomes of a UEFI guest's variable store; the others name what Virt does not keep.</summary>
    private async Task<XdrWriter?> UndefineAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = withFlags ? (DomainUndefineFlags)args.UInt("flags") : DomainUndefineFlags.None;
        args.End("undefine");
        await CallAsync<DomainSummary>(new UndefineDomain(dom, flags), ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>DOMAIN_CREATE answers nothing; DOMAIN_CREATE_WITH_FLAGS the started domain with its new id.</summary>
    private async Task<XdrWriter?> CreateAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = withFlags ? args.UInt("flags") : 0;
        args.End("create");
        var started = await CallAsync<DomainSummary>(new StartDomain(dom, StartFlags(flags)), ct).ConfigureAwait(false);
        return withFlags ? Dom(started) : null;
    }

    private async Task<XdrWriter?> CreateXmlAsync(XdrReader args, CancellationToken ct)
    {
        var xml = args.String(P.StringMax, "xml_desc");
        var flags = args.UInt("flags");
        args.End("create xml");
        return Dom(await CallAsync<DomainSummary>(new CreateDomain(xml, StartFlags(flags)), ct).ConfigureAwait(false));
    }

    private static DomainCreateFlags StartFlags(uint flags) =>
        (flags & ~KnownStartFlags) != 0
            ? throw new LibvirtFault(LibvirtError.InvalidArgument($"unsupported flags (0x{flags & ~KnownStartFlags:x}) in function virDomainCreateWithFlags"))
            : (DomainCreateFlags)flags & HonouredStartFlags;

    /// <summary>The ACPI power button (the default) is the one way Virt asks a guest to stop: no guest agent, initctl or signal.</summary>
    private async Task<XdrWriter?> ShutdownAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = withFlags ? args.UInt("flags") : 0;
        args.End("shutdown");
        if ((flags & ~ShutdownAcpiPowerButton) != 0)
            throw new LibvirtFault(LibvirtError.Unsupported($"shutdown mode 0x{flags:x}: only the ACPI power button is available"));
        await CallAsync<DomainSummary>(new ShutdownDomain(dom), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> RebootAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = args.UInt("flags");
        args.End("reboot");
        if ((flags & ~ShutdownAcpiPowerButton) != 0)
            throw new LibvirtFault(LibvirtError.Unsupported($"reboot mode 0x{flags:x}: only the ACPI power button is available"));
        await CallAsync<DomainSummary>(new RebootDomain(dom), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> ResetAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        _ = args.UInt("flags");
        args.End("reset");
        await CallAsync<DomainSummary>(new ResetDomain(dom), ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>VIR_DOMAIN_DESTROY_GRACEFUL sends SIGTERM only; REMOVE_LOGS is accepted and keeps the log (Virt's logs are the user's).</summary>
    private async Task<XdrWriter?> DestroyAsync(XdrReader args, bool withFlags, CancellationToken ct)
    {
        var dom = ReadDom(args);
        var flags = withFlags ? args.UInt("flags") : 0;
        args.End("destroy");
        if ((flags & ~(DestroyGraceful | DestroyRemoveLogs)) != 0)
            throw new LibvirtFault(LibvirtError.InvalidArgument($"unsupported flags (0x{flags:x}) in function virDomainDestroyFlags"));
        var graceful = (flags & DestroyGraceful) != 0 ? DomainDestroyFlags.Graceful : DomainDestroyFlags.None;
        await CallAsync<DomainSummary>(new DestroyDomain(dom, graceful), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> SuspendAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("suspend");
        await CallAsync<DomainSummary>(new SuspendDomain(dom), ct).ConfigureAwait(false);
        return null;
    }

    private async Task<XdrWriter?> ResumeAsync(XdrReader args, CancellationToken ct)
    {
        var dom = ReadDom(args);
        args.End("resume");
        await CallAsync<DomainSummary>(new ResumeDomain(dom), ct).ConfigureAwait(false);
        return null;
    }
}
