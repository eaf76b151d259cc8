using System.CommandLine;
using System.Security;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>
/// virsh's attach-interface and detach-interface: as virsh's, they build the &lt;interface&gt; or find it in the domain's
/// XML (by type, then MAC) and send it as attach-device and detach-device do.
/// </summary>
internal static class InterfaceCommands
{
    public static IEnumerable<Command> Create(CliContext context) => [AttachInterface(context), DetachInterface(context)];

    /// <summary>The types Virt has; virsh refuses user and ethernet here, Virt takes them (a session daemon has only user).</summary>
    private static readonly string[] Types = ["network", "bridge", "user", "ethernet"];

    private static Command AttachInterface(CliContext context)
    {
        var type = new Argument<string>("type") { Description = "network, bridge, user or ethernet" };
        var source = new Argument<string>("source") { Description = "The network or bridge (not used for user and ethernet)" };
        var target = new Option<string?>("--target") { Description = "The host's tap device (ethernet: an existing tap)" };
        var mac = new Option<string?>("--mac") { Description = "MAC address (generated in 52:54:00 when omitted)" };
        var model = new Option<string?>("--model") { Description = "virtio (the default), e1000, e1000e, rtl8139, ..." };
        var printXml = new Option<bool>("--print-xml") { Description = "Print the XML rather than attach the interface" };
        var impact = DeviceImpact.Make();
        return DomainVerb.Create(context, "attach-interface", "Attach a network interface to a domain",
            [type, source, target, mac, model, printXml, .. impact.TargetOptions], async (run, connection, dom, ct) =>
            {
                var p = run.Parse;
                var kind = p.GetValue(type)!;
                if (!Types.Contains(kind))
                    throw new VirtException(ErrorCode.InvalidArg, $"No support for {kind} in command 'attach-interface'");
                var xml = $"<interface type='{kind}'>"
                    + (kind is "network" or "bridge" ? $"<source {kind}='{SecurityElement.Escape(p.GetValue(source))}'/>" : "")
                    + (p.GetValue(target) is { } dev ? $"<target dev='{SecurityElement.Escape(dev)}'/>" : "")
                    + (p.GetValue(mac) is { } address ? $"<mac address='{SecurityElement.Escape(address)}'/>" : "")
                    + (p.GetValue(model) is { } m ? $"<model type='{SecurityElement.Escape(m)}'/>" : "")
                    + "</interface>";
                if (p.GetValue(printXml))
                {
                    await run.WriteAsync(() => xml + "\n", () => xml + "\n");
                    return;
                }
                var active = (await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct)).Active;
                await connection.CallAsync<DomainSummary>(new DomainDevices.AttachDevice(dom, xml, impact.LiveByDefault(p, active)), ct);
                await run.WriteAsync(() => "Interface attached successfully\n", () => "{}\n");
            });
    }

    /// <summary>As virsh's: with --config or --persistent the config's interface goes, then the live one when the change is live too.</summary>
    private static Command DetachInterface(CliContext context)
    {
        var type = new Argument<string>("type") { Description = "The interface's type (network, bridge, user, ethernet)" };
        var mac = new Option<string?>("--mac") { Description = "Its MAC address, when the domain has more than one of the type" };
        var printXml = new Option<bool>("--print-xml") { Description = "Print the XML rather than detach the interface" };
        var impact = DeviceImpact.Make();
        return DomainVerb.Create(context, "detach-interface", "Detach a network interface from a domain",
            [type, mac, printXml, .. impact.TargetOptions], async (run, connection, dom, ct) =>
            {
                var p = run.Parse;
                var flags = impact.Flags(p, active: false);
                var affectConfig = flags.HasFlag(DomainModificationFlags.Config);
                var active = (await connection.CallAsync<DomainSummary>(new LookupDomain(dom), ct)).Active;
                var affectLive = p.GetValue(impact.Live) || (p.GetValue(impact.Persistent) && active);
                var steps = new List<(bool Inactive, DomainModificationFlags Flags)>();
                if (affectConfig)
                    steps.Add((true, DomainModificationFlags.Config));
                if (affectLive || !affectConfig)
                    steps.Add((false, affectLive || !p.GetValue(impact.Current) ? DomainModificationFlags.Live : DomainModificationFlags.Current));
                foreach (var (inactive, stepFlags) in steps)
                {
                    var nic = await FindAsync(connection, dom, inactive, p.GetValue(type)!, p.GetValue(mac), ct);
                    var xml = DomainXml.FormatInterface(nic);
                    if (p.GetValue(printXml))
                        await run.WriteAsync(() => xml, () => xml);
                    else
                        await connection.CallAsync<DomainSummary>(new DomainDevices.DetachDevice(dom, xml, stepFlags), ct);
                }
                if (!p.GetValue(printXml))
                    await run.WriteAsync(() => "Interface detached successfully\n", () => "{}\n");
            });
    }

    /// <summary>virsh's search: the interfaces of the type, the one with the MAC, or the only one; its errors when not one.</summary>
    private static async Task<InterfaceDevice> FindAsync(VirtConnection connection, DomainRef dom, bool inactive, string type, string? mac, CancellationToken ct)
    {
        var xml = (await connection.CallAsync<DomainXmlDescription>(new GetDomainXml(dom, inactive), ct)).Xml;
        var ofType = DomainXml.Parse(xml).Devices.Interfaces.Where(n => n.Type.ToString().ToLowerInvariant() == type).ToList();
        if (ofType.Count == 0)
            throw new VirtException(ErrorCode.InvalidArg, $"No interface found whose type is {type}");
        if (mac is null)
        {
            return ofType.Count == 1 ? ofType[0]
                : throw new VirtException(ErrorCode.InvalidArg, $"Domain has {ofType.Count} interfaces. Please specify which one to detach using --mac");
        }
        var wanted = MacAddress.Normalize(mac);
        var matching = ofType.Where(n => n.Mac is not null && n.Mac == wanted).ToList();
        return matching.Count switch
        {
            0 => throw new VirtException(ErrorCode.InvalidArg, $"No interface with MAC address {mac} was found"),
            1 => matching[0],
            _ => throw new VirtException(ErrorCode.InvalidArg,
                $"Domain has multiple interfaces matching MAC address {mac}. You must use detach-device and specify the device pci address to remove it."),
        };
    }
}
