using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Transport.DotNetty;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Remote;

/// <summary>
/// Mutual TLS for Akka.Remote: this end's certificate (a PKCS#12 file with its private key) and the SHA-1
/// thumbprints of the peer certificates it accepts. Pinning works with self-signed certificates and needs no CA,
/// the way an SSH known-hosts file does.
/// </summary>
public sealed record RemoteTls(string CertificatePath, string? Password, IReadOnlyList<string> TrustedThumbprints)
{
    /// <summary>The password of the PKCS#12 file, when it has one; kept out of URIs and config files.</summary>
    public const string PasswordVariable = "VIRT_TLS_PASSWORD";

    /// <summary>Turns the DotNetty transport's TLS on; the certificate and validation come from <see cref="ToSetup"/>.</summary>
    public const string Hocon = "akka.remote.dot-netty.tcp.enable-ssl = true";

    /// <summary>Checks the settings and loads the certificate, so a mistake is reported before any socket opens.</summary>
    /// <exception cref="VirtException">ConfigUnsupported naming the file or thumbprint at fault.</exception>
    public DotNettySslSetup ToSetup()
    {
        if (TrustedThumbprints.Count == 0)
            throw new VirtException(ErrorCode.ConfigUnsupported,
                "TLS needs the SHA-1 thumbprints of the peer certificates to trust; none were given");
        var pins = TrustedThumbprints.Select(NormalizeThumbprint).ToArray();
        return new DotNettySslSetup(LoadCertificate(), suppressValidation: false, requireMutualAuthentication: true,
            validateCertificateHostname: false, CertificateValidation.PinnedCertificate(pins));
    }

    /// <summary>Uppercase hex without separators, as .NET prints a thumbprint; "AB:CD ..." from openssl is accepted.</summary>
    public static string NormalizeThumbprint(string text)
    {
        var hex = new string(text.Where(c => c is not (':' or ' ')).ToArray()).ToUpperInvariant();
        if (hex.Length != 40 || !hex.All(Uri.IsHexDigit))
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"'{text}' is not a SHA-1 certificate thumbprint (40 hex digits, e.g. from `openssl x509 -noout -fingerprint -sha1`)");
        return hex;
    }

    private X509Certificate2 LoadCertificate()
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(CertificatePath, Password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"cannot load the TLS certificate {CertificatePath} (a PKCS#12 file with its key; password from ${PasswordVariable}): {e.Message}", e);
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new VirtException(ErrorCode.ConfigUnsupported,
                $"the TLS certificate {CertificatePath} holds no private key; export it together with its key (PKCS#12)");
        }
        return certificate;
    }
}
