using Virt.Integration.Tests.Support;
using Virt.TestSupport;

namespace Virt.Integration.Tests.Consoles;

/// <summary>
/// `virt console` on qemu:///embed?root=DIR: no daemon; the command's own runtime reconnects to the QEMU a previous
/// command started and hands the session over in process, without a wire.
/// </summary>
public sealed class EmbeddedConsoleTests : IDisposable
{
    private readonly TempDirectory _dir = new("vec");

    private string Uri => $"qemu:///embed?root={_dir.Combine("root")}";
    private string Log => EchoGuest.LogPath(_dir.Path);

    public void Dispose()
    {
        QemuReaper.KillAll(_dir.Path);
        _dir.Dispose();
    }

    [Fact]
    public async Task A_later_command_reaches_the_guest_started_by_an_earlier_one()
    {
        var xml = _dir.Combine("echo.xml");
        await File.WriteAllTextAsync(xml, TestGuest.Xml(_dir.Path, EchoGuest.Name, serial: TestGuest.PtySerial(Log)));
        var create = await NativeVirt.RunAsync(["-c", Uri, "create", xml]);
        Assert.True(create.Exit == 0, create.Err);
        await TestGuest.WaitReadyInAsync(Log, EchoGuest.Name);

        await using var console = InteractiveProcess.Start(NativeVirt.Path, "-c", Uri, "console", EchoGuest.Name);
        await console.WaitForOutputAsync("Escape character is ^] (Ctrl + ])\n");
        await console.SendAsync("through the embedded runtime\r");
        await console.WaitForOutputAsync("through the embedded runtime");
        await TestGuest.WaitForTextAsync(Log, "through the embedded runtime");
        await console.SendAsync("\x1d");
        Assert.Equal(0, await console.WaitForExitAsync());

        var destroy = await NativeVirt.RunAsync(["-c", Uri, "destroy", EchoGuest.Name]);
        Assert.True(destroy.Exit == 0, destroy.Err);
    }
}
