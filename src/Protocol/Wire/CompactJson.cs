using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Virt.Protocol.Wire;

/// <summary>
/// JSON that escapes only what JSON itself requires (quotes, backslashes, control characters): the default encoder's
/// \u003C for every &lt; made a valid 700 KB domain XML six times larger. Escaping at most doubles a string now, so any
/// document under the XML limit fits a frame, on the socket and over Akka.Remote alike.
/// </summary>
public static class CompactJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Serialises <paramref name="value"/> after <paramref name="reserved"/> zero bytes (room for a frame header).</summary>
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> contract, int reserved = 0) => Serialize(value, (JsonTypeInfo)contract, reserved);

    public static byte[] Serialize(object? value, JsonTypeInfo contract, int reserved = 0)
    {
        var buffer = new ArrayBufferWriter<byte>();
        if (reserved > 0)
            buffer.Write(new byte[reserved]);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            JsonSerializer.Serialize(writer, value, contract);
        return buffer.WrittenSpan.ToArray();
    }
}
