using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Virt.Integration.Tests.Support;
using Virt.Protocol.Api;

namespace Virt.Integration.Tests;

/// <summary>With autoport QEMU picks the display; the live XML says which, as libvirt's does, and a VNC server answers there.</summary>
public sealed class VncAutoportTests : DaemonTestBase
{
    private static string WithVnc(string xml) =>
        xml.Replace("<memballoon model='none'/>",
            "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/><memballoon model='none'/>", StringComparison.Ordinal);

    [Fact]
    public async Task Two_autoport_domains_get_distinct_ports_that_answer_rfb_and_the_inactive_xml_keeps_autoport()
    {
        await using var client = await ConnectAsync();
        var ports = new List<int>();
        foreach (var name in new[] { "vnc1", "vnc2" })
        {
            await client.DefineAsync(WithVnc(TestGuest.Xml(Dir.Path, name)));
            await client.StartAsync(DomainRef.ByName(name));
            var graphics = XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName(name))).Descendants("graphics").Single();
            Assert.Equal("yes", (string?)graphics.Attribute("autoport"));
            ports.Add((int)graphics.Attribute("port")!);
        }
        Assert.All(ports, p => Assert.InRange(p, 5900, 5999));
        Assert.NotEqual(ports[0], ports[1]);
        foreach (var port in ports)
            Assert.StartsWith("RFB ", await ReadBannerAsync(port));

        var inactive = XDocument.Parse(await client.GetXmlAsync(DomainRef.ByName("vnc1"), inactive: true)).Descendants("graphics").Single();
        // As libvirt writes a port still to be chosen (cockpit-machines waits for a real one while it sees -1).
        Assert.Equal("-1", (string?)inactive.Attribute("port"));
        foreach (var name in new[] { "vnc1", "vnc2" })
            await client.DestroyAsync(DomainRef.ByName(name));
    }

    private static async Task<string> ReadBannerAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(10));
        var buffer = new byte[12];
        var read = await tcp.GetStream().ReadAtLeastAsync(buffer, buffer.Length).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(buffer, 0, read);
    }
}
