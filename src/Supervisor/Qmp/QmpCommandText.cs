using System.Text.Json;

namespace Virt.Supervisor.Qmp;

/// <summary>A QMP command as a client writes it ({"execute": ..., "arguments": {...}}), for the monitor passthrough.</summary>
public static class QmpCommandText
{
    /// <exception cref="JsonException">Not JSON, or not an object with a string member "execute".</exception>
    public static (string Execute, JsonElement? Arguments) Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object
            || !doc.RootElement.TryGetProperty("execute", out var exec) || exec.ValueKind != JsonValueKind.String)
            throw new JsonException("expected an object with a string member \"execute\"");
        return (exec.GetString()!, doc.RootElement.TryGetProperty("arguments", out var args) ? args.Clone() : null);
    }
}
