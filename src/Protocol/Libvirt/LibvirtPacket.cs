using System.Buffers.Binary;

namespace Virt.Protocol.Libvirt;

/// <summary>libvirt's RPC programs (virnetprotocol.x, remote_protocol.x, qemu_protocol.x, virkeepaliveprotocol.x).</summary>
public static class LibvirtProgram
{
    public const uint Remote = 0x20008086;
    public const uint Qemu = 0x20008087;
    public const uint Keepalive = 0x6b656570;
    public const uint Version = 1;

    public const int KeepalivePing = 1;
    public const int KeepalivePong = 2;
}

/// <summary>virNetMessageType.</summary>
public enum LibvirtMessageType
{
    Call = 0,
    Reply = 1,
    Message = 2,
    Stream = 3,
    CallWithFds = 4,
    ReplyWithFds = 5,
    StreamHole = 6,
}

/// <summary>virNetMessageStatus.</summary>
public enum LibvirtStatus
{
    Ok = 0,
    Error = 1,
    Continue = 2,
}

/// <summary>virNetMessageHeader: six 32-bit words after the length word; replies echo program, version, procedure and serial.</summary>
public readonly record struct LibvirtHeader(uint Program, uint Version, int Procedure, LibvirtMessageType Type, uint Serial, LibvirtStatus Status)
{
    public const int Size = 24;

    public static LibvirtHeader Read(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt32BigEndian(bytes),
        BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]),
        BinaryPrimitives.ReadInt32BigEndian(bytes[8..]),
        (LibvirtMessageType)BinaryPrimitives.ReadInt32BigEndian(bytes[12..]),
        BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]),
        (LibvirtStatus)BinaryPrimitives.ReadInt32BigEndian(bytes[20..]));

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt32BigEndian(bytes, Program);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[4..], Version);
        BinaryPrimitives.WriteInt32BigEndian(bytes[8..], Procedure);
        BinaryPrimitives.WriteInt32BigEndian(bytes[12..], (int)Type);
        BinaryPrimitives.WriteUInt32BigEndian(bytes[16..], Serial);
        BinaryPrimitives.WriteInt32BigEndian(bytes[20..], (int)Status);
    }

    /// <summary>The header of the reply to this call: the same program, version, procedure and serial.</summary>
    public LibvirtHeader Reply(LibvirtStatus status) => this with { Type = LibvirtMessageType.Reply, Status = status };
}

/// <summary>One packet: header and XDR body.</summary>
public sealed record LibvirtPacket(LibvirtHeader Header, ReadOnlyMemory<byte> Body);
