using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Virt.Protocol.Errors;

namespace Virt.Cli.Output;

/// <summary>
/// virsh domdisplay's URIs, read from a live domain XML: vnc://HOST:N (N = port - 5900), spice://HOST:PORT?tls-port=T,
/// a socket as vnc+unix://PATH, the password only where the XML carries it (secure XML).
/// </summary>
internal static class GraphicalDisplay
{
    /// <summary>The graphics types in the order virsh tries them.</summary>
    public static readonly IReadOnlyList<string> Schemes = ["vnc", "spice", "rdp", "dbus"];

    public const string NotRunning = "Domain is not running";

    public static string NoneFound(string? type) =>
        type is null ? "No graphical display found" : $"No graphical display with type '{type}' found";

    /// <summary>Every display virsh would print: the first one found, or with <paramref name="all"/> each of them.</summary>
    /// <param name="connectionHost">The host of the connection URI, which stands in for a wildcard listen address.</param>
    public static IReadOnlyList<string> Find(string xml, string? type, bool all, string? connectionHost)
    {
        var domain = DomainXmlQuery.Load(xml);
        var found = new List<string>();
        foreach (var scheme in Schemes)
        {
            if (!all && type is not null && type != scheme)
                continue;
            if (Uri(domain, scheme, connectionHost) is not { } uri)
                continue;
            found.Add(uri);
            if (!all)
                break;
        }
        return found.Count > 0 ? found : throw new VirtException(ErrorCode.OperationFailed, NoneFound(type));
    }

    /// <summary>The URI of the graphics of one type, or null when there is none to reach (no port and no socket).</summary>
    public static string? Uri(XElement domain, string scheme, string? connectionHost)
    {
        var graphics = DomainXmlQuery.Devices(domain, "graphics").Where(g => (string?)g.Attribute("type") == scheme).ToList();
        if (scheme == "dbus")
            return DBus(First(graphics, "address"));
        var port = Number(First(graphics, "port"));
        var tlsPort = Number(First(graphics, "tlsPort"));
        var listens = graphics.Elements("listen").ToList();
        var socket = First(listens, "type") == "socket" ? First(listens, "socket") : null;
        if (port == 0 && tlsPort == 0 && socket is null)
            return null;

        var listen = First(graphics, "listen");
        if (listen is null)
            listen = First(listens, "address");
        else if (IPAddress.TryParse(listen, out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
            listen = connectionHost; // a wildcard does not tell a viewer where to go; the host it connected to does
        var password = First(graphics, "passwd");

        var uri = new StringBuilder(scheme).Append(socket is null ? "://" : "+unix://");
        if (scheme == "vnc" && password is not null)
            uri.Append(':').Append(password).Append('@');
        uri.Append(socket ?? listen switch
        {
            null => "localhost",
            _ when listen.Contains(':') => $"[{listen}]",
            _ => listen,
        });
        if (port != 0)
            uri.Append(':').Append(scheme == "vnc" ? port - VncDisplay.BasePort : port);
        var query = new List<string>();
        if (tlsPort != 0)
            query.Add($"tls-port={tlsPort}");
        if (scheme == "spice" && password is not null)
            query.Add($"password={password}");
        if (query.Count > 0)
            uri.Append('?').Append(string.Join('&', query));
        return uri.ToString();
    }

    private static string? DBus(string? address) => address switch
    {
        null => null,
        _ when address.StartsWith("unix:path=", StringComparison.Ordinal) => "dbus+unix://" + address["unix:path=".Length..],
        _ => throw new VirtException(ErrorCode.OperationFailed, $"'{address}' D-Bus address is not handled"),
    };

    /// <summary>XPath's string() of a node set: the attribute of the first element that has it.</summary>
    private static string? First(IEnumerable<XElement> elements, string attribute) =>
        elements.Select(e => (string?)e.Attribute(attribute)).FirstOrDefault(v => v is not null);

    /// <summary>What virsh reads as no port: a missing or non-numeric attribute is 0.</summary>
    private static int Number(string? text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
