using Virt.Protocol.Errors;
using Virt.Protocol.Remote;

namespace Virt.Protocol.Tests.Remote;

public class RemoteTlsTests
{
    [Theory]
    [InlineData("ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF01")]
    public void Thumbprints_from_openssl_or_dotnet_normalize_alike(string text) =>
        Assert.Equal("ABCDEF0123456789ABCDEF0123456789ABCDEF01", RemoteTls.NormalizeThumbprint(text));

    [Theory]
    [InlineData("ABCDEF")]
    [InlineData("ZZCDEF0123456789ABCDEF0123456789ABCDEF01")]
    public void A_wrong_thumbprint_is_named(string text)
    {
        var e = Assert.Throws<VirtException>(() => RemoteTls.NormalizeThumbprint(text));
        Assert.Contains($"'{text}' is not a SHA-1", e.Message);
    }

    [Fact]
    public void A_missing_certificate_file_is_named()
    {
        var tls = new RemoteTls("/nonexistent/client.pfx", null, ["ABCDEF0123456789ABCDEF0123456789ABCDEF01"]);
        var e = Assert.Throws<VirtException>(() => tls.ToSetup());
        Assert.Equal(ErrorCode.ConfigUnsupported, e.Code);
        Assert.Contains("/nonexistent/client.pfx", e.Message);
    }

    [Fact]
    public void No_pins_is_refused_before_the_file_is_read()
    {
        var e = Assert.Throws<VirtException>(() => new RemoteTls("/nonexistent/client.pfx", null, []).ToSetup());
        Assert.Contains("thumbprints", e.Message);
    }
}
