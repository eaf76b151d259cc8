using System.Text.Json.Serialization;

namespace Virt.Protocol.Wire;

/// <summary>Source-generated JSON contracts for the envelope; no type names ever travel.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(WireEnvelope))]
[JsonSerializable(typeof(WireError))]
[JsonSerializable(typeof(WireStreamChunk))]
internal sealed partial class WireJsonContext : JsonSerializerContext;
