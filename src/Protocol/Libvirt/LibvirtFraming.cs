using System.Buffers.Binary;
using Virt.Protocol.Wire;

namespace Virt.Protocol.Libvirt;

/// <summary>
/// libvirt's framing: a 4-byte big-endian length that counts itself, the 24-byte header, the XDR body. A length too
/// small for a header or over the cap is a protocol error before anything of the body is read.
/// </summary>
public static class LibvirtFraming
{
    /// <summary>The first word after the length of a libvirt client's first packet: the REMOTE program.</summary>
    public static bool LooksLikeLibvirt(ReadOnlySpan<byte> firstEightBytes) =>
        firstEightBytes.Length >= 8 && BinaryPrimitives.ReadUInt32BigEndian(firstEightBytes[4..]) == LibvirtProgram.Remote;

    /// <summary>Reads one packet; null on a clean end of stream before any byte of one.</summary>
    public static async Task<LibvirtPacket?> ReadAsync(Stream stream, int maxPacketBytes, CancellationToken ct)
    {
        var word = new byte[4];
        var got = await ReadFullyAsync(stream, word, ct).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < 4)
            throw new WireProtocolException("connection closed inside a packet length");
        var length = BinaryPrimitives.ReadUInt32BigEndian(word);
        if (length < 4 + LibvirtHeader.Size)
            throw new WireProtocolException($"packet of {length} bytes is too short for a header");
        if (length > (uint)maxPacketBytes + 4)
            throw new WireProtocolException($"packet of {length} bytes exceeds the limit of {maxPacketBytes} bytes");
        var rest = new byte[length - 4];
        if (await ReadFullyAsync(stream, rest, ct).ConfigureAwait(false) < rest.Length)
            throw new WireProtocolException($"connection closed inside a packet ({length} bytes announced)");
        return new LibvirtPacket(LibvirtHeader.Read(rest), rest.AsMemory(LibvirtHeader.Size));
    }

    /// <summary>One whole packet: length word, header, body.</summary>
    /// <summary>Whether an encoded reply says OK: its status word, after the length and the first five header words.</summary>
    public static bool IsOk(ReadOnlySpan<byte> frame) =>
        frame.Length >= 28 && System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(frame[24..]) == (int)LibvirtStatus.Ok;

    public static byte[] Encode(LibvirtHeader header, ReadOnlySpan<byte> body)
    {
        var packet = new byte[4 + LibvirtHeader.Size + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (uint)packet.Length);
        header.Write(packet.AsSpan(4));
        body.CopyTo(packet.AsSpan(4 + LibvirtHeader.Size));
        return packet;
    }

    /// <summary>
    /// A REPLY_WITH_FDS packet (virnetmessage.c): the header says type 5, the body is the descriptor count then the ret
    /// body, and the length counts both. The descriptors follow the packet, each on its own dummy byte, uncounted.
    /// </summary>
    public static byte[] EncodeReplyWithFds(LibvirtHeader call, int fdCount, ReadOnlySpan<byte> body)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fdCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fdCount, MaxFds);
        var payload = new byte[4 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)fdCount);
        body.CopyTo(payload.AsSpan(4));
        return Encode(call.Reply(LibvirtStatus.Ok) with { Type = LibvirtMessageType.ReplyWithFds }, payload);
    }

    /// <summary>VIR_NET_MESSAGE_NUM_FDS_MAX: the most descriptors one packet may announce.</summary>
    public const int MaxFds = 32;

    private static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], ct).ConfigureAwait(false);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }
}
