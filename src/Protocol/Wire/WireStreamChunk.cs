using System.Text.Json;

namespace Virt.Protocol.Wire;

/// <summary>
/// The body of a stream frame. A call that opens a stream (domain.console) is answered first; then frames of type
/// stream with the call's serial carry bytes both ways, multiplexed with the other calls, replies, events and
/// heartbeats of the connection, so the connection stays one protocol. Either side ends the stream with End; the
/// daemon's End carries the reason when the session did not just close (taken over, guest side failed).
/// </summary>
public sealed record WireStreamChunk
{
    /// <summary>Bytes (base64 in JSON); console traffic is small, so the encoding's cost does not matter.</summary>
    public byte[]? Data { get; init; }
    public bool End { get; init; }
    public WireError? Error { get; init; }

    public static JsonElement Body(WireStreamChunk chunk) => JsonSerializer.SerializeToElement(chunk, WireJsonContext.Default.WireStreamChunk);

    public static WireStreamChunk Read(WireEnvelope envelope)
    {
        try
        {
            return envelope.Body?.Deserialize(WireJsonContext.Default.WireStreamChunk)
                ?? throw new WireProtocolException("stream frame without a body");
        }
        catch (JsonException e)
        {
            throw new WireProtocolException($"malformed stream frame: {e.Message}");
        }
    }
}
