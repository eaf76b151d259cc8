using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Virt.Integration.Tests.Support;

namespace Virt.Integration.Tests.Libvirt;

/// <summary>
/// libvirt's wire, byte for byte, against the real virtd: the handshake, the unknown-procedure error clients fall
/// back on, keepalive, go-libvirt's non-canonical boolean, and a lifecycle event (golden frames of
/// shared/LIBVIRT-RPC.md, observed with the real clients).
/// </summary>
public sealed class GoldenFrameTests : DaemonTestBase
{
    private const uint Remote = 0x20008086;

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "").Replace("|", ""));

    private static byte[] Call(int proc, uint serial, byte[]? body = null)
    {
        body ??= [];
        var packet = new byte[28 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)packet.Length);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), Remote);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 1);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(12), proc);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(16), 0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(20), serial);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(24), 0);
        body.CopyTo(packet, 28);
        return packet;
    }

    private async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Daemon.SocketPath));
        return socket;
    }

    private static async Task<byte[]> ReadPacketAsync(Socket socket)
    {
        var length = new byte[4];
        await ReadExactlyAsync(socket, length);
        var packet = new byte[BinaryPrimitives.ReadUInt32BigEndian(length)];
        length.CopyTo(packet, 0);
        await ReadExactlyAsync(socket, packet.AsMemory(4));
        return packet;
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (var got = 0; got < buffer.Length;)
        {
            var n = await socket.ReceiveAsync(buffer[got..], SocketFlags.None, limit.Token);
            Assert.True(n > 0, "the daemon closed the connection");
            got += n;
        }
    }

    [Fact]
    public async Task The_handshake_the_unknown_procedure_error_and_keepalive_are_libvirts_bytes()
    {
        using var socket = await ConnectAsync();

        await socket.SendAsync(Call(66, 0));
        Assert.Equal(Hex("00000024 20008086 00000001 00000042 00000001 00000000 00000000 | 00000001 00000000"), await ReadPacketAsync(socket));

        await socket.SendAsync(Call(60, 1, Hex("0000000a")));
        Assert.Equal(Hex("00000020 20008086 00000001 0000003c 00000001 00000001 00000000 | 00000001"), await ReadPacketAsync(socket));

        // go-libvirt's CONNECT_OPEN: "name present" as the opaque 01 00 00 00, which only a lenient decoder takes as true.
        var name = Encoding.ASCII.GetBytes("qemu:///session");
        var open = Hex("01000000 0000000f").Concat(name).Concat(new byte[1]).Concat(Hex("00000000")).ToArray();
        await socket.SendAsync(Call(1, 2, open));
        Assert.Equal(Hex("0000001c 20008086 00000001 00000001 00000001 00000002 00000000"), await ReadPacketAsync(socket));

        await socket.SendAsync(Call(41, 9)); // DOMAIN_PIN_VCPU, which Virt does not serve
        Assert.Equal(Hex("00000064 20008086 00000001 00000029 00000001 00000009 00000001 | 00000027 00000007 00000001 00000015")
            .Concat(Encoding.ASCII.GetBytes("unknown procedure: 41")).Concat(new byte[3])
            .Concat(Hex("00000002 00000000 00000000 00000000 00000000 00000000 00000000 00000000")).ToArray(), await ReadPacketAsync(socket));

        await socket.SendAsync(Hex("0000001c 6b656570 00000001 00000001 00000002 00000000 00000000"));
        Assert.Equal(Hex("0000001c 6b656570 00000001 00000002 00000002 00000000 00000000"), await ReadPacketAsync(socket));
    }

    [Fact]
    public async Task A_lifecycle_event_reaches_its_callback_as_libvirt_frames_it()
    {
        using var socket = await ConnectAsync();
        await socket.SendAsync(Call(66, 0));
        await ReadPacketAsync(socket);
        await socket.SendAsync(Call(1, 1, Hex("00000000 00000000")));
        await ReadPacketAsync(socket);
        // CALLBACK_REGISTER_ANY: lifecycle (0), any domain (a null remote_domain).
        await socket.SendAsync(Call(316, 2, Hex("00000000 00000000")));
        var registered = await ReadPacketAsync(socket);
        var callback = BinaryPrimitives.ReadInt32BigEndian(registered.AsSpan(28));

        var uuid = Guid.NewGuid();
        var xml = Encoding.UTF8.GetBytes(TestGuest.Xml(Dir.Path, "vm1", uuid));
        var define = new byte[4 + xml.Length + (4 - xml.Length % 4) % 4];
        BinaryPrimitives.WriteUInt32BigEndian(define, (uint)xml.Length);
        xml.CopyTo(define, 4);
        await socket.SendAsync(Call(11, 3, define));

        // The reply and the event may come in either order.
        var first = await ReadPacketAsync(socket);
        var second = await ReadPacketAsync(socket);
        var message = BinaryPrimitives.ReadInt32BigEndian(first.AsSpan(16)) == 2 ? first : second;
        var body = new byte[4].Concat(Hex("00000003")).Concat(Encoding.ASCII.GetBytes("vm1")).Concat(new byte[1])
            .Concat(uuid.ToByteArray(bigEndian: true)).Concat(Hex("ffffffff 00000000 00000000")).ToArray();
        BinaryPrimitives.WriteInt32BigEndian(body, callback);
        // MESSAGE 318, serial 0: callback id, the domain (id -1: defined, not running), Defined (0) Added (0).
        Assert.Equal(Hex($"{28 + body.Length:x8} 20008086 00000001 0000013e 00000002 00000000 00000000").Concat(body).ToArray(), message);
    }
}
