using System.CommandLine;
using Virt.Cli.Output;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Cli.Commands;

/// <summary>The reading verbs on one domain: dominfo, domstate, domid, domname, domuuid, dumpxml, vncdisplay, domdisplay, domblklist.</summary>
internal static class DomainQueryCommands
{
    private static readonly Option<bool> Reason = new("--reason") { Description = "Also print the reason for the state" };
    private static readonly Option<bool> Inactive = new("--inactive") { Description = "The configuration of the next start rather than the running one" };
    private static readonly Option<bool> SecurityInfo = new("--security-info") { Description = "Include the display passwords (read-write connections only)" };
    private static readonly Option<bool> Details = new("--details") { Description = "Also show the disk type and device" };
    private static readonly Option<bool> IncludePassword = new("--include-password") { Description = "Include the display password in the URI, if it has one" };
    private static readonly Option<string> DisplayType = new("--type") { Description = "Only this kind of display (vnc, spice, rdp, dbus)" };
    private static readonly Option<bool> AllDisplays = new("--all") { Description = "Every graphical display, one per line" };

    public static IEnumerable<Command> Create(CliContext context) =>
    [
        DomainVerb.Create(context, "dominfo", "Basic information about a domain", [], async (run, c, dom, ct) =>
        {
            var info = await c.CallAsync<DomainInfo>(new GetDomainInfo(dom), ct);
            await run.WriteAsync(() => DomainText.Info(info), () => DomainJson.Info(info));
        }),
        DomainVerb.Create(context, "domstate", "The state of a domain", [Reason], async (run, c, dom, ct) =>
        {
            var d = await c.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
            await run.WriteAsync(() => DomainText.State(d, run.Parse.GetValue(Reason)), () => DomainJson.State(d));
        }),
        DomainVerb.Create(context, "domid", "Convert a domain name or UUID to its id ('-' when inactive)", [], async (run, c, dom, ct) =>
        {
            var d = await c.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
            await run.WriteAsync(() => DomainText.IdText(d) + "\n", () => DomainJson.Id(d));
        }),
        DomainVerb.Create(context, "domname", "Convert a domain id or UUID to its name", [], async (run, c, dom, ct) =>
        {
            var d = await c.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
            await run.WriteAsync(() => d.Name.Value + "\n", () => DomainJson.Single("name", d.Name.Value));
        }),
        DomainVerb.Create(context, "domuuid", "Convert a domain name or id to its UUID", [], async (run, c, dom, ct) =>
        {
            var d = await c.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
            await run.WriteAsync(() => d.Uuid + "\n", () => DomainJson.Single("uuid", d.Uuid.ToString()));
        }),
        DomainVerb.Create(context, "dumpxml", "The domain's XML: the live one, or with --inactive the next start's", [Inactive, SecurityInfo], async (run, c, dom, ct) =>
        {
            var xml = await c.CallAsync<DomainXmlDescription>(new GetDomainXml(dom, run.Parse.GetValue(Inactive), run.Parse.GetValue(SecurityInfo)), ct);
            await run.WriteAsync(() => WithNewline(xml.Xml), () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                w.WriteString("name", xml.Name.Value);
                w.WriteString("xml", xml.Xml);
                w.WriteEndObject();
            }));
        }),
        DomainVerb.Create(context, "vncdisplay", "The VNC display of a running domain (:N, or HOST:N)", [], async (run, c, dom, ct) =>
        {
            var d = await c.CallAsync<DomainSummary>(new LookupDomain(dom), ct);
            if (!d.Active)
                throw new VirtException(ErrorCode.OperationInvalid, GraphicalDisplay.NotRunning);
            var display = VncDisplay.FromXml((await c.CallAsync<DomainXmlDescription>(new GetDomainXml(dom), ct)).Xml);
            await run.WriteAsync(() => display + "\n", () => JsonOutput.Document(w =>
            {
                w.WriteStartObject();
                w.WriteString("display", display.ToString());
                if (display.Host is null)
                    w.WriteNull("host");
                else
                    w.WriteString("host", display.Host);
                w.WriteNumber("port", display.Port);
                w.WriteEndObject();
            }));
        }),
        DomainVerb.Create(context, "domdisplay", "The URI of the domain's graphical display (vnc://, spice://)", [IncludePassword, DisplayType, AllDisplays], async (run, c, dom, ct) =>
        {
            var (type, all) = (run.Parse.GetValue(DisplayType), run.Parse.GetValue(AllDisplays));
            if (all && type is not null)
                throw new UsageException("Options --all and --type are mutually exclusive");
            if (!(await c.CallAsync<DomainSummary>(new LookupDomain(dom), ct)).Active)
                throw new VirtException(ErrorCode.OperationInvalid, GraphicalDisplay.NotRunning);
            var xml = await c.CallAsync<DomainXmlDescription>(new GetDomainXml(dom, Secure: run.Parse.GetValue(IncludePassword)), ct);
            var displays = GraphicalDisplay.Find(xml.Xml, type, all, run.Uri.Host);
            // virsh ends only --all's lines: a single URI is followed by nothing but the blank line after every command.
            await run.WriteAsync(() => all ? string.Concat(displays.Select(d => d + "\n")) : displays[0], () => JsonOutput.Document(w =>
            {
                w.WriteStartArray();
                foreach (var display in displays)
                    w.WriteStringValue(display);
                w.WriteEndArray();
            }));
        }),
        DomainVerb.Create(context, "domblklist", "The domain's block devices: target and source", [Inactive, Details], async (run, c, dom, ct) =>
        {
            var xml = await c.CallAsync<DomainXmlDescription>(new GetDomainXml(dom, run.Parse.GetValue(Inactive)), ct);
            var devices = BlockDevice.FromXml(xml.Xml);
            await run.WriteAsync(() => BlockDevice.Table(devices, run.Parse.GetValue(Details), run.Headers), () => BlockDevice.Json(devices));
        }),
    ];

    private static string WithNewline(string text) => text.EndsWith('\n') ? text : text + "\n";
}
