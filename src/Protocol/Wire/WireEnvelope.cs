using System.Text.Json;
using System.Text.Json.Serialization;

namespace Virt.Protocol.Wire;

/// <summary>What a frame carries: a call, its reply or error, a pushed event, or a piece of a call's byte stream.</summary>
public enum MessageType
{
    [JsonStringEnumMemberName("call")] Call,
    [JsonStringEnumMemberName("reply")] Reply,
    [JsonStringEnumMemberName("event")] Event,
    [JsonStringEnumMemberName("error")] Error,
    /// <summary>A <see cref="WireStreamChunk"/> of the stream the call with the same serial opened (a console).</summary>
    [JsonStringEnumMemberName("stream")] Stream,
}

/// <summary>One message on the wire. Replies and errors carry the serial of the call they answer.</summary>
public sealed record WireEnvelope
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public required MessageType Type { get; init; }
    public long Serial { get; init; }
    public required string Procedure { get; init; }
    public JsonElement? Body { get; init; }
}

/// <summary>The body of an error message.</summary>
public sealed record WireError(string Code, string Message);
