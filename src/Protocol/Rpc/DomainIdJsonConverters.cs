using System.Text.Json;
using System.Text.Json.Serialization;
using Virt.Protocol.Api;
using Virt.Protocol.Errors;

namespace Virt.Protocol.Rpc;

/// <summary>A domain name travels as a plain string and is validated as it is read.</summary>
public sealed class DomainNameJsonConverter : JsonConverter<DomainName>
{
    public override DomainName Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.TokenType == JsonTokenType.String ? reader.GetString() : throw new JsonException("a domain name must be a string");
        try
        {
            return new DomainName(text!);
        }
        catch (VirtException e)
        {
            throw new JsonException(e.Message);
        }
    }

    public override void Write(Utf8JsonWriter writer, DomainName value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}

/// <summary>A domain UUID travels in libvirt's dashed form.</summary>
public sealed class DomainUuidJsonConverter : JsonConverter<DomainUuid>
{
    public override DomainUuid Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && DomainUuid.TryParse(reader.GetString(), out var uuid)
            ? uuid
            : throw new JsonException("a domain UUID must be a string like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0");

    public override void Write(Utf8JsonWriter writer, DomainUuid value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());
}
