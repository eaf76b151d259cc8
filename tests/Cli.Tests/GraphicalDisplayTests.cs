using Virt.Cli.Output;
using Virt.Protocol.Errors;

namespace Virt.Cli.Tests;

/// <summary>domdisplay's URIs from the live XML, in virsh's forms.</summary>
public sealed class GraphicalDisplayTests
{
    private static string Domain(string devices) =>
        $"<domain type='qemu' id='1'><name>vm1</name><devices>{devices}</devices></domain>";

    private static string One(string devices, string? type = null, string? host = null) =>
        Assert.Single(GraphicalDisplay.Find(Domain(devices), type, all: false, host));

    [Theory]
    [InlineData("<graphics type='vnc' port='5900' listen='127.0.0.1'/>", "vnc://127.0.0.1:0")]
    [InlineData("<graphics type='vnc' port='5907'><listen type='address' address='192.0.2.5'/></graphics>", "vnc://192.0.2.5:7")]
    [InlineData("<graphics type='vnc' port='5901'/>", "vnc://localhost:1")]
    [InlineData("<graphics type='vnc' port='5902' listen='::1'/>", "vnc://[::1]:2")]
    [InlineData("<graphics type='vnc' port='5903' listen='0.0.0.0'/>", "vnc://localhost:3")]
    [InlineData("<graphics type='vnc' port='5904' listen='::'/>", "vnc://localhost:4")]
    [InlineData("<graphics type='vnc' port='5900' passwd='pw' listen='127.0.0.1'/>", "vnc://:pw@127.0.0.1:0")]
    [InlineData("<graphics type='vnc' socket='/run/v.sock'><listen type='socket' socket='/run/v.sock'/></graphics>", "vnc+unix:///run/v.sock")]
    [InlineData("<graphics type='spice' port='5930' listen='127.0.0.1'/>", "spice://127.0.0.1:5930")]
    [InlineData("<graphics type='spice' port='5930' tlsPort='5931' passwd='pw' listen='127.0.0.1'/>", "spice://127.0.0.1:5930?tls-port=5931&password=pw")]
    [InlineData("<graphics type='spice' tlsPort='5931' listen='127.0.0.1'/>", "spice://127.0.0.1?tls-port=5931")]
    [InlineData("<graphics type='dbus' address='unix:path=/run/d.sock'/>", "dbus+unix:///run/d.sock")]
    public void Each_display_prints_as_virsh_prints_it(string graphics, string expected) => Assert.Equal(expected, One(graphics));

    [Fact]
    public void A_wildcard_address_becomes_the_host_the_client_connected_to() =>
        Assert.Equal("vnc://virt.example:5", One("<graphics type='vnc' port='5905' listen='0.0.0.0'/>", host: "virt.example"));

    [Fact]
    public void Vnc_comes_first_unless_a_type_is_asked_for_and_all_lists_every_type()
    {
        var devices = "<graphics type='spice' port='5930' listen='127.0.0.1'/><graphics type='vnc' port='5901' listen='127.0.0.1'/>";
        Assert.Equal("vnc://127.0.0.1:1", One(devices));
        Assert.Equal("spice://127.0.0.1:5930", One(devices, type: "spice"));
        Assert.Equal(["vnc://127.0.0.1:1", "spice://127.0.0.1:5930"], GraphicalDisplay.Find(Domain(devices), null, all: true, null));
    }

    [Theory]
    [InlineData("", null, "No graphical display found")]
    [InlineData("<graphics type='vnc' autoport='yes'/>", null, "No graphical display found")]
    [InlineData("<graphics type='vnc' port='5901'/>", "spice", "No graphical display with type 'spice' found")]
    [InlineData("<graphics type='dbus' address='tcp:host=h'/>", null, "'tcp:host=h' D-Bus address is not handled")]
    public void A_domain_with_nothing_to_reach_gets_virshs_error(string devices, string? type, string message)
    {
        var e = Assert.Throws<VirtException>(() => GraphicalDisplay.Find(Domain(devices), type, all: false, null));
        Assert.Equal(message, e.Message);
    }
}
