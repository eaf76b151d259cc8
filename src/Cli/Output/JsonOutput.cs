using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Virt.Cli.Output;

/// <summary>Writes --json output with Utf8JsonWriter: no reflection at startup, camelCase names like the wire.</summary>
internal static class JsonOutput
{
    // Relaxed escaping keeps XML and paths readable (<, >, ' stay as they are); stdout is not HTML.
    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One JSON document, indented, ending with a newline.</summary>
    public static string Document(Action<Utf8JsonWriter> write) => Render(write, Indented) + "\n";

    /// <summary>One JSON document on one line (JSON Lines, for streams such as events).</summary>
    public static string Line(Action<Utf8JsonWriter> write) => Render(write, Compact) + "\n";

    /// <summary>{"error":{"code":"NO_DOMAIN","message":"..."}}.</summary>
    public static string Error(string code, string message) => Document(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("code", code);
        w.WriteString("message", message);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static string Render(Action<Utf8JsonWriter> write, JsonWriterOptions options)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, options))
            write(writer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
