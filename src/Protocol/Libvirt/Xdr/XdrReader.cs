using System.Buffers.Binary;
using System.Text;

namespace Virt.Protocol.Libvirt.Xdr;

/// <summary>
/// Reads XDR (RFC 4506) as libvirt writes it: big-endian, padded to 4 bytes, chars widened to 4 bytes. Strict on
/// lengths (a count past the data or past its cap is an error, never an allocation), lenient on booleans (any non-zero
/// is true, as libtirpc reads them: go-libvirt sends 01 00 00 00).
/// </summary>
public sealed class XdrReader(ReadOnlyMemory<byte> data)
{
    private int _position;

    public int Remaining => data.Length - _position;

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count < 0 || count > Remaining)
            throw new XdrException($"{what}: {count} bytes announced, {Remaining} left in the message");
        var span = data.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    public int Int(string what = "int") => BinaryPrimitives.ReadInt32BigEndian(Take(4, what));

    public uint UInt(string what = "unsigned int") => BinaryPrimitives.ReadUInt32BigEndian(Take(4, what));

    public long Hyper(string what = "hyper") => BinaryPrimitives.ReadInt64BigEndian(Take(8, what));

    public ulong UHyper(string what = "unsigned hyper") => BinaryPrimitives.ReadUInt64BigEndian(Take(8, what));

    public bool Bool(string what = "bool") => UInt(what) != 0;

    /// <summary>A length-prefixed string of at most <paramref name="max"/> bytes, UTF-8.</summary>
    public string String(int max, string what = "string")
    {
        var length = Length(max, what);
        var bytes = Take(length, what);
        Pad(length, what);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new XdrException($"{what} is not valid UTF-8");
        }
    }

    /// <summary>An optional string (remote_string): a 0/1 marker, then the string.</summary>
    public string? OptionalString(int max, string what = "string") => Bool(what) ? String(max, what) : null;

    /// <summary>Exactly <paramref name="count"/> bytes with no length (opaque x[N]), padded.</summary>
    public byte[] FixedOpaque(int count, string what = "opaque")
    {
        var bytes = Take(count, what).ToArray();
        Pad(count, what);
        return bytes;
    }

    /// <summary>The element count of a variable array, checked against its cap before anything is read.</summary>
    public int Count(int max, string what = "array")
    {
        var count = UInt(what);
        if (count > (uint)max)
            throw new XdrException($"{what} has {count} elements, more than the limit of {max}");
        // Each element takes at least 4 bytes: a count past the data is refused before any allocation.
        if (count > (uint)Remaining / 4)
            throw new XdrException($"{what}: {count} elements announced, {Remaining} bytes left in the message");
        return (int)count;
    }

    /// <summary>The message must be fully read: trailing bytes mean the two sides disagree on the struct.</summary>
    public void End(string what)
    {
        if (Remaining != 0)
            throw new XdrException($"{what}: {Remaining} unexpected bytes after the arguments");
    }

    private int Length(int max, string what)
    {
        var length = UInt(what);
        if (length > (uint)max)
            throw new XdrException($"{what} of {length} bytes is longer than the limit of {max}");
        return (int)length;
    }

    private void Pad(int length, string what) => Take((4 - length % 4) % 4, what);
}
