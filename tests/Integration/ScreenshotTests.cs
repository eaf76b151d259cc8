using System.Buffers.Binary;
using System.Text;
using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests;

/// <summary>
/// `virt screenshot` and the real virsh's on the real daemon and QEMU: a real PNG of the display at the size QEMU itself
/// reports, and libvirt's errors for a domain that is not running or has nothing to show.
/// </summary>
public sealed class ScreenshotTests : DaemonTestBase
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private VirtCli Virt => new(Daemon.SocketPath, Dir.Path);

    [Fact]
    public async Task A_vnc_domain_gives_a_png_as_large_as_the_display_qemu_reports()
    {
        await Virt.DefineGuestAsync("shot", "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>");
        await Virt.OkAsync("start", "shot");
        await TestGuest.WaitReadyAsync(Dir.Path, "shot"); // the guest idles from here: the display keeps its mode

        // QEMU's own measure: its PPM dump, whose header is "P6\nWIDTH HEIGHT\n255\n".
        var ppm = Dir.Combine("shot.ppm");
        await Virt.OkAsync("qemu-monitor-command", "shot", $$$"""{"execute":"screendump","arguments":{"filename":"{{{ppm}}}"}}""");
        var header = Encoding.ASCII.GetString(await File.ReadAllBytesAsync(ppm)).Split('\n', 3);
        Assert.Equal("P6", header[0]);
        var size = header[1].Split(' ').Select(int.Parse).ToArray();

        var png = Dir.Combine("shot.png");
        Assert.Equal($"Screenshot saved to {png}, with type of image/png\n", await Virt.OkAsync("screenshot", "shot", png));
        var bytes = await File.ReadAllBytesAsync(png);
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(bytes, 12, 4));
        var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        Assert.Equal(size, new[] { width, height });
        Assert.Equal("IEND", Encoding.ASCII.GetString(bytes, bytes.Length - 8, 4));

        var noSuchScreen = await Virt.RunAsync(["screenshot", "shot", Dir.Combine("two.png"), "--screen", "1"]);
        Assert.Equal((1, "error: could not take a screenshot of shot\nerror: no such screen ID\n"), (noSuchScreen.Exit, noSuchScreen.Err));
        Assert.False(File.Exists(Dir.Combine("two.png")));

        // The real virsh over libvirt's protocol: the PNG comes on the stream the call opened.
        var viaVirsh = Dir.Combine("virsh.png");
        Assert.Equal($"Screenshot saved to {viaVirsh}, with type of image/png\n", await Virsh.OkAsync("screenshot", "shot", viaVirsh));
        var streamed = await File.ReadAllBytesAsync(viaVirsh);
        Assert.Equal(PngSignature, streamed[..8]);
        Assert.Equal((width, height), (BinaryPrimitives.ReadInt32BigEndian(streamed.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(streamed.AsSpan(20))));
        Assert.Equal("IEND", Encoding.ASCII.GetString(streamed, streamed.Length - 8, 4));

        // QEMU wrote into the domain's runtime directory; the daemon took the file away.
        Assert.Empty(Directory.EnumerateFiles(Daemon.Root, "screendump-*", SearchOption.AllDirectories));
        await Virt.OkAsync("destroy", "shot");
    }

    [Fact]
    public async Task A_spice_domain_with_a_qxl_card_gives_a_png_too()
    {
        await Virt.DefineGuestAsync("spicy", "<graphics type='spice' autoport='yes' listen='127.0.0.1'/><video><model type='qxl' primary='yes'/></video>");
        await Virt.OkAsync("start", "spicy");
        var png = Dir.Combine("spicy.png");
        Assert.Equal($"Screenshot saved to {png}, with type of image/png\n", await Virt.OkAsync("screenshot", "spicy", png));
        Assert.Equal(PngSignature, (await File.ReadAllBytesAsync(png))[..8]);
        await Virt.OkAsync("destroy", "spicy");
    }

    [Fact]
    public async Task A_shut_off_domain_or_one_without_graphics_gets_libvirts_error_and_no_file()
    {
        await Virt.DefineGuestAsync("blind");
        var file = Dir.Combine("blind.png");
        var off = await Virt.RunAsync(["screenshot", "blind", file]);
        Assert.Equal((1, "error: could not take a screenshot of blind\nerror: domain 'blind' is not running\n"), (off.Exit, off.Err));

        await Virt.OkAsync("start", "blind");
        var noScreens = await Virt.RunAsync(["screenshot", "blind", file]);
        Assert.Equal((1, "error: could not take a screenshot of blind\nerror: no screens to take screenshot from\n"), (noScreens.Exit, noScreens.Err));
        Assert.False(File.Exists(file));
        await Virt.OkAsync("destroy", "blind");
    }
}
