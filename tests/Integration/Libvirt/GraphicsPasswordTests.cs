using System.Net.Sockets;
using System.Text;
using System.Xml.Linq;
using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// &lt;graphics passwd=&gt;: QEMU's VNC server asks for the password, which reached QEMU over its monitor, never its
/// command line; dumpxml shows it only with --security-info, and never to a read-only connection.
/// </summary>
public sealed class GraphicsPasswordTests : DaemonTestBase
{
    private const string Password = "s3cret-Pw";

    private Virsh Client => new(Daemon.SocketPath);

    [Fact]
    public async Task A_vnc_password_guards_the_display_and_stays_out_of_argv_and_plain_xml()
    {
        var file = Dir.Combine("pw.xml");
        await File.WriteAllTextAsync(file, TestGuest.Xml(Dir.Path, "pw").Replace("<memballoon model='none'/>",
            $"<graphics type='vnc' autoport='yes' listen='127.0.0.1' passwd='{Password}'/><memballoon model='none'/>"));
        await Client.OkAsync("define", file);
        await Client.OkAsync("start", "pw");

        var live = XDocument.Parse(await Client.OkAsync("dumpxml", "pw")).Descendants("graphics").Single();
        Assert.Null(live.Attribute("passwd"));
        Assert.DoesNotContain(Password, await Client.OkAsync("dumpxml", "--inactive", "pw"));
        Assert.Contains($"passwd='{Password}'", await Client.OkAsync("dumpxml", "--security-info", "pw"));
        Assert.Contains($"passwd='{Password}'", await Client.OkAsync("dumpxml", "--inactive", "--security-info", "pw"));
        var readOnly = await Client.ReadOnlyAsync("dumpxml", "--security-info", "pw");
        Assert.NotEqual(0, readOnly.Exit);
        Assert.Contains("virDomainGetXMLDesc with secure flag", readOnly.Err);

        // The server offers only VNC authentication, and it is the domain's password that passes it.
        var port = (int)live.Attribute("port")!;
        Assert.Equal(0u, await AuthenticateAsync(port, Password));
        Assert.NotEqual(0u, await AuthenticateAsync(port, "wrong"));

        var qemu = QemuReaper.FindUnder(Dir.Path).Single();
        var cmdline = await File.ReadAllTextAsync($"/proc/{qemu}/cmdline");
        Assert.Contains("password=on", cmdline);
        Assert.DoesNotContain(Password, cmdline);
        Assert.DoesNotContain(Password, await File.ReadAllTextAsync(Path.Combine(Daemon.Root, "log", "qemu", "pw.log")));
        await Client.OkAsync("destroy", "pw");
    }

    /// <summary>RFB 3.8 with VNC authentication: the server's 16-byte challenge DES-encrypted with the password; 0 is success.</summary>
    private static async Task<uint> AuthenticateAsync(int port, string password)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(10));
        var stream = tcp.GetStream();
        async Task<byte[]> Read(int count)
        {
            var buffer = new byte[count];
            await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            return buffer;
        }
        var version = await Read(12);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(version));
        await stream.WriteAsync(version);
        var types = await Read((await Read(1))[0]);
        Assert.Equal([2], types); // VNC authentication only; 1 would be none
        await stream.WriteAsync(new byte[] { 2 });
        var challenge = await Read(16);
        // VNC's key is the password's first 8 bytes, each with its bits in reverse order.
        var key = new byte[8];
        Encoding.ASCII.GetBytes(password.Length > 8 ? password[..8] : password).CopyTo(key, 0);
        for (var i = 0; i < 8; i++)
            key[i] = (byte)((key[i] * 0x0202020202UL & 0x010884422010UL) % 1023);
#pragma warning disable CA5351 // VNC authentication is DES by definition
        using var des = System.Security.Cryptography.DES.Create();
#pragma warning restore CA5351
        des.Key = key;
        await stream.WriteAsync(des.EncryptEcb(challenge, System.Security.Cryptography.PaddingMode.None));
        var result = await Read(4);
        return (uint)(result[0] << 24 | result[1] << 16 | result[2] << 8 | result[3]);
    }
}
