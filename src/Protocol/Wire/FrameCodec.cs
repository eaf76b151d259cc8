using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Wire;

/// <summary>
/// Frames are a 4-byte big-endian length then that many bytes of JSON envelope.
/// A frame over the cap or cut short is a protocol error, never a crash or an unbounded read.
/// </summary>
public static class FrameCodec
{
    public const int DefaultMaxFrameBytes = 4 * 1024 * 1024;

    /// <summary>Reads one envelope; null on a clean end of stream before any byte of a frame.</summary>
    public static async Task<WireEnvelope?> ReadAsync(Stream stream, int maxFrameBytes = DefaultMaxFrameBytes, CancellationToken ct = default)
    {
        var header = new byte[4];
        var got = await ReadFullyAsync(stream, header, ct).ConfigureAwait(false);
        if (got == 0)
            return null;
        if (got < header.Length)
            throw new WireProtocolException("connection closed inside a frame header");

        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
            throw new WireProtocolException("empty frame");
        if (length > (uint)maxFrameBytes)
            throw new WireProtocolException($"frame of {length} bytes exceeds the limit of {maxFrameBytes} bytes");

        var payload = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            if (await ReadFullyAsync(stream, payload.AsMemory(0, (int)length), ct).ConfigureAwait(false) < length)
                throw new WireProtocolException($"connection closed inside a frame ({length} bytes announced)");
            return Decode(payload.AsSpan(0, (int)length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    public static WireEnvelope Decode(ReadOnlySpan<byte> json)
    {
        WireEnvelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(json, WireJsonContext.Default.WireEnvelope);
        }
        catch (JsonException e)
        {
            throw new WireProtocolException($"malformed envelope: {e.Message}");
        }
        if (envelope is null)
            throw new WireProtocolException("malformed envelope: null");
        if (envelope.Version != WireEnvelope.CurrentVersion)
            throw new WireProtocolException($"unsupported protocol version {envelope.Version} (this side speaks {WireEnvelope.CurrentVersion})");
        if (string.IsNullOrEmpty(envelope.Procedure))
            throw new WireProtocolException("envelope without a procedure");
        return envelope;
    }

    /// <summary>Serialises an envelope into one complete frame (header and payload), escaped as <see cref="CompactJson"/> does.</summary>
    public static byte[] Encode(WireEnvelope envelope, int maxFrameBytes = DefaultMaxFrameBytes)
    {
        var frame = CompactJson.Serialize(envelope, WireJsonContext.Default.WireEnvelope, reserved: 4);
        var length = frame.Length - 4;
        if (length > maxFrameBytes)
            throw new WireProtocolException($"message of {length} bytes exceeds the limit of {maxFrameBytes} bytes");
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)length);
        return frame;
    }

    public static async Task WriteAsync(Stream stream, WireEnvelope envelope, int maxFrameBytes = DefaultMaxFrameBytes, CancellationToken ct = default)
    {
        await stream.WriteAsync(Encode(envelope, maxFrameBytes), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    public static WireError ReadError(WireEnvelope envelope) =>
        envelope.Body?.Deserialize(WireJsonContext.Default.WireError)
        ?? throw new WireProtocolException("error message without a body");

    public static JsonElement ToBody(WireError error) =>
        JsonSerializer.SerializeToElement(error, WireJsonContext.Default.WireError);

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

/// <summary>The peer broke the framing or envelope rules; the connection cannot go on.</summary>
public sealed class WireProtocolException(string message) : VirtException(ErrorCode.Rpc, message);
