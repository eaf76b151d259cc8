using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Supervisor.Live;

namespace Virt.Supervisor.Tests.Live;

/// <summary>Which display a screenshot takes: libvirt's screen numbering over the video devices and their heads.</summary>
public sealed class ScreenTargetTests
{
    private static DomainDefinition Domain(string devices) => DomainXml.Parse($"""
        <domain type='qemu'><name>vm1</name><memory unit='MiB'>16</memory>
          <os><type arch='x86_64' machine='pc'>hvm</type></os><devices>{devices}</devices></domain>
        """);

    [Fact]
    public void Screen_zero_is_qemus_default_console_and_graphics_alone_get_the_default_video() =>
        Assert.Equal(ScreenTarget.Primary, Screendump.Target(Domain("<graphics type='vnc' autoport='yes'/>"), 0));

    [Fact]
    public void Later_screens_count_the_heads_of_each_video_device_in_order()
    {
        var domain = Domain("<graphics type='spice' autoport='yes'/>" +
            "<video><model type='qxl' heads='2' primary='yes'/></video><video><model type='qxl' heads='1'/></video>");
        Assert.Equal(new ScreenTarget("video0", 1), Screendump.Target(domain, 1));
        Assert.Equal(new ScreenTarget("video1", 0), Screendump.Target(domain, 2));
        var e = Assert.Throws<VirtException>(() => Screendump.Target(domain, 3));
        Assert.Equal((ErrorCode.OperationInvalid, Screendump.NoSuchScreen), (e.Code, e.Message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("<video><model type='none'/></video>")]
    public void A_domain_without_a_display_has_no_screens(string devices)
    {
        var e = Assert.Throws<VirtException>(() => Screendump.Target(Domain(devices), 0));
        Assert.Equal((ErrorCode.OperationInvalid, Screendump.NoScreens), (e.Code, e.Message));
    }
}
