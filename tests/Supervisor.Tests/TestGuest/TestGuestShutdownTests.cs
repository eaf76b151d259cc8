using System.Net.Sockets;
using System.Text;
using Virt.Supervisor.Processes;
using Virt.Supervisor.Qmp;
using Virt.Supervisor.TestGuest;
using Virt.Supervisor.Tests.Processes;
using Virt.TestSupport;

namespace Virt.Supervisor.Tests.TestGuest;

[Collection(QemuCollection.Name)]
public sealed class TestGuestShutdownTests
{
    [Fact]
    public void Image_is_one_mib_with_a_boot_signature_and_the_ready_line()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("guest.img");
        TestGuestImage.Write(path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(1024 * 1024, bytes.Length);
        Assert.Equal(0x55, bytes[510]);
        Assert.Equal(0xAA, bytes[511]);
        Assert.Contains(TestGuestImage.ReadyLine, Encoding.ASCII.GetString(bytes, 0, 512));
        Assert.All(bytes[512..], b => Assert.Equal(0, b));
    }

    [Theory]
    [InlineData("pc")]
    [InlineData("q35")]
    public async Task Guest_prints_ready_echoes_com1_then_powers_off_on_system_powerdown(string machine)
    {
        using var dir = new TempDirectory();
        var image = dir.Combine("guest.img");
        TestGuestImage.Write(image);
        var serial = dir.Combine("serial.sock");
        var monitor = dir.Combine("mon.sock");
        var spec = new QemuLaunchSpec
        {
            Emulator = QemuFixtures.Emulator,
            Arguments =
            [
                "-machine", $"{machine},accel=tcg", "-m", "32", "-S", "-nodefaults", "-no-user-config", "-display", "none",
                "-drive", $"file={image},format=raw,if=ide",
                "-chardev", $"socket,id=ser,path={serial},server=on,wait=off", "-serial", "chardev:ser",
                "-chardev", $"socket,id=mon,path={monitor},server=on,wait=off", "-mon", "chardev=mon,mode=control",
            ],
            LogPath = dir.Combine("domain.log"),
            MonitorPath = monitor,
        };
        var qemu = await QemuProcess.LaunchAsync(spec);
        try
        {
            // Paused (-S) until cont, so connecting to the serial socket first loses no output.
            using var serialSocket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await serialSocket.ConnectAsync(new UnixDomainSocketEndPoint(serial));
            using var reader = new StreamReader(new NetworkStream(serialSocket), Encoding.ASCII);
            await qemu.Qmp.ExecuteAsync("cont");

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var line = await ReadLineContainingAsync(reader, TestGuestImage.ReadyLine, patience.Token);
            Assert.Equal(TestGuestImage.ReadyLine, line);
            var status = await qemu.Qmp.ExecuteAsync("query-status");
            Assert.Equal("running", status.GetProperty("status").GetString());
            Assert.False(qemu.Exited.IsCompleted);

            // What COM1 receives comes back byte for byte, and the power button is still watched afterwards.
            await serialSocket.SendAsync(Encoding.ASCII.GetBytes("echo me\r\n"));
            Assert.Equal("echo me", await ReadLineContainingAsync(reader, "echo me", patience.Token));

            await qemu.Qmp.ExecuteAsync("system_powerdown");
            var shutdown = await FirstEventAsync(qemu.Qmp, "SHUTDOWN", patience.Token);
            Assert.True(shutdown.Data.GetProperty("guest").GetBoolean());
            Assert.Equal("guest-shutdown", shutdown.Data.GetProperty("reason").GetString());
            Assert.Equal(new ProcessExit(0, null, true), await qemu.Exited.WaitAsync(patience.Token));
        }
        finally
        {
            await QemuFixtures.EndAsync(qemu);
        }
    }

    private static async Task<string> ReadLineContainingAsync(StreamReader reader, string text, CancellationToken ct)
    {
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
                return line.Trim();
        }
        throw new EndOfStreamException($"serial output ended before '{text}'");
    }

    private static async Task<QmpEvent> FirstEventAsync(QmpClient qmp, string name, CancellationToken ct)
    {
        await foreach (var e in qmp.ReadEventsAsync(ct))
        {
            if (e.Name == name)
                return e;
        }
        throw new InvalidOperationException($"the QMP connection ended before a {name} event");
    }
}
