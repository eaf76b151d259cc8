using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Virt.Integration.Tests.Remote;

/// <summary>Self-signed certificates written as PKCS#12 files, the way a user makes them with openssl.</summary>
public static class TestCertificates
{
    public sealed record Issued(string Path, string Thumbprint);

    public static Issued Create(string dir, string name, string? password = null)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = System.IO.Path.Combine(dir, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return new Issued(path, certificate.Thumbprint);
    }

    /// <summary>The certificate alone, without its key, as a user who exported the wrong file would have it.</summary>
    public static string WritePublicOnly(string dir, string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = System.IO.Path.Combine(dir, name + ".pfx");
        using var publicOnly = X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert));
        File.WriteAllBytes(path, publicOnly.Export(X509ContentType.Pkcs12));
        return path;
    }
}
