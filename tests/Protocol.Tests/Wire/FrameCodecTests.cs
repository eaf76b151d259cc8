using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Virt.Protocol.Domains;
using Virt.Protocol.Errors;
using Virt.Protocol.Rpc;
using Virt.Protocol.Wire;
using static Virt.Protocol.Api.DomainCommands;

namespace Virt.Protocol.Tests.Wire;

public class FrameCodecTests
{
    private static WireEnvelope Call(long serial, string body) => new()
    {
        Type = MessageType.Call,
        Serial = serial,
        Procedure = "domain.lookup",
        Body = JsonDocument.Parse(body).RootElement.Clone(),
    };

    private static byte[] RawFrame(string json)
    {
        var payload = Encoding.UTF8.GetBytes(json);
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    [Fact]
    public async Task Envelopes_round_trip_in_order_through_a_stream()
    {
        var stream = new MemoryStream();
        await FrameCodec.WriteAsync(stream, Call(1, """{"name":"a"}"""));
        await FrameCodec.WriteAsync(stream, Call(2, """{"name":"b,c"}"""));
        stream.Position = 0;

        var first = await FrameCodec.ReadAsync(stream);
        var second = await FrameCodec.ReadAsync(stream);
        Assert.Null(await FrameCodec.ReadAsync(stream));

        Assert.Equal(1, first!.Serial);
        Assert.Equal("a", first.Body!.Value.GetProperty("name").GetString());
        Assert.Equal(2, second!.Serial);
        Assert.Equal("b,c", second.Body!.Value.GetProperty("name").GetString());
    }

    [Fact]
    public void The_wire_form_uses_names_not_type_information()
    {
        var json = Encoding.UTF8.GetString(FrameCodec.Encode(Call(7, "{}")).AsSpan(4));
        Assert.Equal("""{"version":1,"type":"call","serial":7,"procedure":"domain.lookup","body":{}}""", json);
    }

    [Fact]
    public async Task A_frame_over_the_cap_is_refused_before_its_payload_is_read()
    {
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, 64 * 1024 * 1024);
        var e = await Assert.ThrowsAsync<WireProtocolException>(() => FrameCodec.ReadAsync(new MemoryStream(header), 1024));
        Assert.Contains("exceeds the limit of 1024 bytes", e.Message);
        Assert.Equal(ErrorCode.Rpc, e.Code);
    }

    [Fact]
    public void A_message_over_the_cap_is_refused_when_sending()
    {
        var big = Call(1, JsonSerializer.Serialize(new { x = new string('x', 5000) }));
        Assert.Throws<WireProtocolException>(() => FrameCodec.Encode(big, 1000));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(10)]
    public async Task A_truncated_frame_is_a_protocol_error(int keep)
    {
        var frame = FrameCodec.Encode(Call(1, """{"a":1}"""));
        var e = await Assert.ThrowsAsync<WireProtocolException>(() => FrameCodec.ReadAsync(new MemoryStream(frame[..keep])));
        Assert.Contains("connection closed inside a frame", e.Message);
    }

    [Theory]
    [InlineData("not json", "malformed envelope")]
    [InlineData("""{"version":2,"type":"call","serial":1,"procedure":"x"}""", "unsupported protocol version 2")]
    [InlineData("""{"version":1,"type":"call","serial":1}""", "malformed envelope")]
    [InlineData("""{"version":1,"type":"shout","serial":1,"procedure":"x"}""", "malformed envelope")]
    [InlineData("""{"version":1,"type":"call","serial":1,"procedure":""}""", "without a procedure")]
    [InlineData("null", "malformed envelope")]
    public async Task A_bad_envelope_is_named_in_the_error(string json, string expected)
    {
        var e = await Assert.ThrowsAsync<WireProtocolException>(() => FrameCodec.ReadAsync(new MemoryStream(RawFrame(json))));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task Random_bytes_only_ever_give_protocol_errors()
    {
        // Bounded fuzz: any outcome but a WireProtocolException or a clean decode is a bug.
        var random = new Random(20261123);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (bytes.Length >= 4 && random.Next(2) == 0)
                BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)(bytes.Length - 4));
            try
            {
                await FrameCodec.ReadAsync(new MemoryStream(bytes), 1 << 16);
            }
            catch (WireProtocolException)
            {
            }
        }
    }

    [Theory]
    [InlineData('<')]
    [InlineData('"')]
    [InlineData('\u00e9')]
    [InlineData('\u4e2d')]
    public void Any_document_under_the_xml_limit_fits_a_frame_however_its_characters_escape(char filler)
    {
        // A description of nothing but one character, sized so the whole document is just under 1 MiB of UTF-8.
        var head = "<domain type='qemu'><name>x</name><description>";
        var tail = "</description></domain>";
        var room = DomainXml.MaxDocumentBytes - Encoding.UTF8.GetByteCount(head + tail);
        var xml = head + new string(filler, room / Encoding.UTF8.GetByteCount([filler])) + tail;
        Assert.True(Encoding.UTF8.GetByteCount(xml) <= DomainXml.MaxDocumentBytes);

        var command = new DefineDomain(xml);
        var envelope = new WireEnvelope { Type = MessageType.Call, Serial = 1, Procedure = "domain.define", Body = Procedures.EncodeCommand(command) };
        var frame = FrameCodec.Encode(envelope);

        Assert.True(frame.Length - 4 <= FrameCodec.DefaultMaxFrameBytes, $"{frame.Length} bytes");
        var decoded = FrameCodec.Decode(frame.AsSpan(4));
        Assert.Equal(xml, Assert.IsType<DefineDomain>(Procedures.DecodeCommand("domain.define", decoded.Body)).Xml);
    }
}
