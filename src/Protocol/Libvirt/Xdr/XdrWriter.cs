using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Virt.Protocol.Libvirt.Xdr;

/// <summary>Writes XDR as libvirt reads it: big-endian, 4-byte padding, chars as 4 bytes, char arrays with their NUL.</summary>
public sealed class XdrWriter
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public XdrWriter(int initialCapacity = 256) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    public int Length => _buffer.WrittenCount;

    public ReadOnlySpan<byte> Written => _buffer.WrittenSpan;

    public XdrWriter Int(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public XdrWriter UInt(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public XdrWriter Hyper(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public XdrWriter UHyper(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public XdrWriter Bool(bool value) => UInt(value ? 1u : 0u);

    public XdrWriter String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        UInt((uint)count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
        return Pad(count);
    }

    /// <summary>remote_string: the 0/1 marker, then the string when there is one.</summary>
    public XdrWriter OptionalString(string? value) => value is null ? UInt(0) : UInt(1).String(value);

    public XdrWriter FixedOpaque(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
        return Pad(bytes.Length);
    }

    /// <summary>
    /// A char&lt;N&gt; array (not a string): a count, each char as 4 bytes, and a trailing NUL counted in, as
    /// libvirt's daemon sends them and its client strcpy()s them.
    /// </summary>
    public XdrWriter CharArray(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        UInt((uint)bytes.Length + 1);
        foreach (var b in bytes)
            Int((sbyte)b);
        return Int(0);
    }

    /// <summary>Appends bytes already in XDR form.</summary>
    public XdrWriter Raw(ReadOnlySpan<byte> xdr)
    {
        xdr.CopyTo(_buffer.GetSpan(xdr.Length));
        _buffer.Advance(xdr.Length);
        return this;
    }

    private XdrWriter Pad(int length)
    {
        var pad = (4 - length % 4) % 4;
        _buffer.GetSpan(pad)[..pad].Clear();
        _buffer.Advance(pad);
        return this;
    }
}
