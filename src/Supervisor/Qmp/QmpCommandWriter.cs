using System.Buffers;
using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Virt.Supervisor.Qmp;

/// <summary>Turns a command, its arguments and its id into one newline-terminated QMP line.</summary>
internal static class QmpCommandWriter
{
    private static readonly JsonSerializerOptions SerializerOptions = new() { WriteIndented = false };

    public static ReadOnlyMemory<byte> Write(string command, object? arguments, long id)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            writer.WriteStartObject();
            writer.WriteString("execute", command);
            if (arguments is not null)
            {
                writer.WritePropertyName("arguments");
                WriteArguments(writer, arguments);
            }
            writer.WriteNumber("id", id);
            writer.WriteEndObject();
        }
        buffer.Write("\n"u8);
        return buffer.WrittenMemory;
    }

    private static void WriteArguments(Utf8JsonWriter writer, object arguments)
    {
        switch (arguments)
        {
            case JsonElement { ValueKind: JsonValueKind.Object } element:
                element.WriteTo(writer);
                break;
            case JsonObject node:
                node.WriteTo(writer);
                break;
            case IReadOnlyDictionary<string, object?> dictionary:
                WriteDictionary(writer, dictionary);
                break;
            case IDictionary<string, object?> dictionary:
                WriteDictionary(writer, dictionary);
                break;
            case IDictionary:
                JsonSerializer.Serialize(writer, arguments, arguments.GetType(), SerializerOptions);
                break;
            case JsonElement or JsonNode or string or IEnumerable or ValueType:
                // QMP arguments are always an object; anything else is a caller bug, not QEMU's.
                throw new ArgumentException($"QMP arguments must be a JSON object, not {arguments.GetType().Name}", nameof(arguments));
            default:
                // Anonymous objects and records: member names become argument names as written.
                JsonSerializer.Serialize(writer, arguments, arguments.GetType(), SerializerOptions);
                break;
        }
    }

    private static void WriteDictionary(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, object?>> dictionary)
    {
        writer.WriteStartObject();
        foreach (var (key, value) in dictionary)
        {
            writer.WritePropertyName(key);
            if (value is null)
                writer.WriteNullValue();
            else
                JsonSerializer.Serialize(writer, value, value.GetType(), SerializerOptions);
        }
        writer.WriteEndObject();
    }
}
