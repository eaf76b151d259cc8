using Virt.Protocol.Connection;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Tests.Connection;

public class VirtUriTests
{
    [Theory]
    [InlineData("qemu:///session", RuntimeMode.Session)]
    [InlineData("qemu:///system", RuntimeMode.System)]
    public void Local_daemon_uris_parse(string text, RuntimeMode mode) => Assert.Equal(mode, VirtUri.Parse(text).Mode);

    [Fact]
    public void Embed_uri_carries_its_root()
    {
        var uri = VirtUri.Parse("qemu:///embed?root=/var/tmp/vm%201/");
        Assert.Equal(RuntimeMode.Embed, uri.Mode);
        Assert.Equal("/var/tmp/vm 1", uri.EmbedRoot);
    }

    [Fact]
    public void A_local_uri_may_name_its_socket()
    {
        var uri = VirtUri.Parse("qemu:///session?socket=/tmp/d/run/virt-sock");
        Assert.Equal((RuntimeMode.Session, "/tmp/d/run/virt-sock"), (uri.Mode, uri.Socket));
        Assert.Null(VirtUri.Parse("qemu:///system").Socket);
    }

    [Fact]
    public void Akka_uri_carries_host_and_port()
    {
        var uri = VirtUri.Parse("qemu+akka://127.0.0.1:4053/");
        Assert.Equal((RuntimeMode.Remote, "127.0.0.1", 4053), (uri.Mode, uri.Host, uri.Port));
    }

    [Fact]
    public void Akka_uri_may_carry_a_client_certificate_and_daemon_pins()
    {
        var uri = VirtUri.Parse("qemu+akka://192.0.2.10:4053/?cert=/etc/virt/client.pfx&pin=AA,BB&pin=CC");
        Assert.Equal("/etc/virt/client.pfx", uri.TlsCertificate);
        Assert.Equal(["AA", "BB", "CC"], uri.TlsPins);
        Assert.Null(VirtUri.Parse("qemu+akka://127.0.0.1:4053/").TlsCertificate);
    }

    [Theory]
    [InlineData("session", "not an absolute URI")]
    [InlineData("qemu+akka://h:1/?cert=/c.pfx", "needs both cert=")]
    [InlineData("qemu+akka://h:1/?pin=AA", "needs both cert=")]
    [InlineData("qemu+akka://h:1/?cert=c.pfx&pin=AA", "the cert 'c.pfx' must be an absolute path")]
    [InlineData("qemu:///embed", "needs a root")]
    [InlineData("qemu:///embed?root=relative/dir", "must be an absolute path")]
    [InlineData("qemu:///session?socket=sock", "the socket 'sock' must be an absolute path")]
    [InlineData("qemu:///other", "expected qemu:///session")]
    [InlineData("xen:///system", "unsupported scheme 'xen'")]
    [InlineData("qemu://host/system", "qemu+akka")]
    [InlineData("qemu+akka://host/", "HOST:PORT")]
    public void Bad_uris_say_what_is_wrong(string text, string expected)
    {
        var e = Assert.Throws<VirtException>(() => VirtUri.Parse(text));
        Assert.Equal(ErrorCode.OperationInvalid, e.Code);
        Assert.Contains(expected, e.Message);
    }
}
