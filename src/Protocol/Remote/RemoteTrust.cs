namespace Virt.Protocol.Remote;

/// <summary>
/// Why Akka.Remote is served and used only with mutual TLS, loopback included: an associated Akka.Remote peer can send
/// to every actor of the daemon, so the association itself must be authenticated, and any local user could reach a
/// loopback port. A trusted certificate is an administrator's; a client may ask for less (read-only), never for more.
/// </summary>
public static class RemoteTrust
{
    /// <summary>The one message for every refusal of Akka.Remote without TLS, so the daemon and clients agree.</summary>
    public const string TlsRequired =
        "Akka.Remote requires mutual TLS, on loopback too: every remote client is authenticated by its certificate " +
        "(a daemon with virt.remote.tls = on, a certificate and trusted-thumbprints; a client URI with ?cert=/abs/client.pfx&pin=DAEMON_SHA1)";
}
