using Virt.Protocol.Errors;

namespace Virt.Protocol.Connection;

public enum RuntimeMode { Session, System, Embed, Remote }

/// <summary>A parsed connection URI: qemu:///session, qemu:///system, qemu:///embed?root=DIR, qemu+akka://host:port/.</summary>
/// <remarks>
/// Like libvirt, a local URI may name its socket: qemu:///session?socket=/path/to/virt-sock. A remote URI turns TLS
/// on with this client's certificate and the daemon's pinned thumbprint: qemu+akka://HOST:PORT/?cert=/abs/client.pfx&amp;pin=SHA1.
/// </remarks>
public sealed record VirtUri(RuntimeMode Mode, string Text, string? EmbedRoot = null, string? Host = null, int Port = 0, string? Socket = null,
    string? TlsCertificate = null, IReadOnlyList<string>? TlsPins = null)
{
    public const string DefaultText = "qemu:///session";

    public static VirtUri Parse(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            throw Invalid(text, "not an absolute URI");

        switch (uri.Scheme)
        {
            case "qemu":
                if (!string.IsNullOrEmpty(uri.Host))
                    throw Invalid(text, "remote hosts need the qemu+akka scheme");
                return uri.AbsolutePath switch
                {
                    "/session" => new VirtUri(RuntimeMode.Session, text, Socket: ParseSocket(text, uri.Query)),
                    "/system" => new VirtUri(RuntimeMode.System, text, Socket: ParseSocket(text, uri.Query)),
                    "/embed" => new VirtUri(RuntimeMode.Embed, text, EmbedRoot: ParseEmbedRoot(text, uri.Query)),
                    _ => throw Invalid(text, "expected qemu:///session, qemu:///system or qemu:///embed?root=DIR"),
                };
            case "qemu+akka":
                if (string.IsNullOrEmpty(uri.Host) || uri.Port <= 0)
                    throw Invalid(text, "expected qemu+akka://HOST:PORT/");
                return ParseRemote(text, uri);
            default:
                throw Invalid(text, $"unsupported scheme '{uri.Scheme}'");
        }
    }

    private static VirtUri ParseRemote(string text, Uri uri)
    {
        var certificate = QueryPath(text, uri.Query, "cert");
        var pins = QueryValues(uri.Query, "pin").SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        if ((certificate is null) != (pins.Count == 0))
            throw Invalid(text, "TLS needs both cert=/abs/client.pfx (this client's certificate) and pin=SHA1 (the daemon's thumbprint)");
        return new VirtUri(RuntimeMode.Remote, text, Host: uri.Host, Port: uri.Port, TlsCertificate: certificate,
            TlsPins: pins.Count == 0 ? null : pins);
    }

    private static IEnumerable<string> QueryValues(string query, string name)
    {
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq > 0 && pair[..eq] == name)
                yield return Uri.UnescapeDataString(pair[(eq + 1)..]);
        }
    }

    private static string ParseEmbedRoot(string text, string query) =>
        QueryPath(text, query, "root") ?? throw Invalid(text, "qemu:///embed needs a root, e.g. qemu:///embed?root=/var/tmp/vm1");

    private static string? ParseSocket(string text, string query) => QueryPath(text, query, "socket");

    /// <summary>An absolute path given as a query parameter, or null when the parameter is absent.</summary>
    private static string? QueryPath(string text, string query, string name)
    {
        foreach (var path in QueryValues(query, name))
        {
            if (!Path.IsPathFullyQualified(path))
                throw Invalid(text, $"the {name} '{path}' must be an absolute path");
            return Path.TrimEndingDirectorySeparator(path);
        }
        return null;
    }

    private static VirtException Invalid(string text, string why) =>
        new(ErrorCode.OperationInvalid, $"invalid connection URI '{text}': {why}");

    public override string ToString() => Text;
}
