using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Virt.Protocol.Api;
using Virt.Protocol.Client;
using Virt.Protocol.Errors;
using Virt.Protocol.Events;
using Virt.Protocol.Remote;
using Virt.Protocol.Rpc;
using Virt.Protocol.Tests.Rpc;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;
using static Virt.Protocol.Remote.RemoteMessages;

namespace Virt.Protocol.Tests.Remote;

/// <summary>The Akka.Remote serializer, found through its own HOCON bindings in a real actor system.</summary>
public sealed class VirtJsonSerializerTests : IAsyncLifetime
{
    private ActorSystem _system = null!;
    private Akka.Serialization.Serialization Serialization => _system.Serialization;

    public Task InitializeAsync()
    {
        _system = ActorSystem.Create("serializer-test", ConfigurationFactory.ParseString(VirtJsonSerializer.Hocon + "\nakka.loglevel = ERROR"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _system.Terminate();

    public static TheoryData<object> Messages()
    {
        var data = new TheoryData<object>();
        foreach (var command in ProceduresTests.Commands())
            data.Add(command);
        foreach (var reply in ProceduresTests.Replies())
            data.Add(reply);
        data.Add(new ErrorReply(ErrorCode.NoDomain, "domain 'ghost' not found"));
        data.Add(DomainLifecycleEvent.Stopped(new DomainName("vm1"), DomainUuid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"), StoppedDetail.Destroyed));
        data.Add(new Hello("akka.tcp://virt-client@127.0.0.1:40000/user/client", ReadOnly: true, Pid: 42));
        data.Add(new Welcome("akka.tcp://virt@127.0.0.1:4053/user/connections/7", 7));
        data.Add(new Subscribe("akka.tcp://virt@127.0.0.1:4053/user/connections/7",
            new EventSubscription(DomainRef.ByName("vm1"), [DomainEventType.Started, DomainEventType.Stopped])));
        data.Add(new Subscribed());
        data.Add(new Goodbye("akka.tcp://virt@127.0.0.1:4053/user/connections/7"));
        data.Add(new Closed());
        return data;
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_protocol_record_round_trips_through_the_bound_serializer(object message)
    {
        var serializer = Serialization.FindSerializerFor(message);
        Assert.IsType<VirtJsonSerializer>(serializer);
        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, message);
        Assert.DoesNotContain(message.GetType().Name, manifest);

        var decoded = Serialization.Deserialize(serializer.ToBinary(message), serializer.Identifier, manifest);

        Assert.Equal(message.GetType(), decoded.GetType());
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(message), System.Text.Json.JsonSerializer.Serialize(decoded));
    }

    [Fact]
    public void Manifests_are_the_procedure_and_reply_names()
    {
        var serializer = (VirtJsonSerializer)Serialization.FindSerializerForType(typeof(StartDomain));
        Assert.Equal("domain.start", serializer.Manifest(new StartDomain(DomainRef.ByName("vm1"))));
        Assert.Equal(Procedures.ErrorReplyKind, serializer.Manifest(new ErrorReply(ErrorCode.Rpc, "x")));
        Assert.Equal(VirtJsonSerializer.EventManifest,
            serializer.Manifest(DomainLifecycleEvent.Started(new DomainName("vm1"), DomainUuid.Parse("c7a5fdbd-edaf-9455-926a-d65c16db1809"), StartedDetail.Booted)));
        Assert.Equal(VirtJsonSerializer.Manifests.Count(), VirtJsonSerializer.Manifests.Distinct().Count());
    }

    [Fact]
    public void A_socket_handing_command_or_reply_is_refused_with_the_reason()
    {
        var serializer = (VirtJsonSerializer)Serialization.FindSerializerForType(typeof(StartDomain));
        foreach (var message in new object[] { new OpenGraphics(DomainRef.ByName("vm1")), new GraphicsOpened(new DomainName("vm1")) })
        {
            var e = Assert.Throws<SerializationException>(() => serializer.ToBinary(message));
            Assert.Contains("domain.open-graphics hands over a file descriptor", e.Message);
        }
    }

    [Theory]
    [InlineData("System.Diagnostics.Process, System.Diagnostics.Process")]
    [InlineData("Virt.Protocol.Api.DomainCommands+StartDomain, Virt.Protocol")]
    [InlineData("")]
    public void An_unknown_manifest_is_refused_by_name_never_loaded_as_a_type(string manifest)
    {
        var serializer = (VirtJsonSerializer)Serialization.FindSerializerForType(typeof(StartDomain));
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary("{}"u8.ToArray(), manifest));
        Assert.Contains($"unknown message manifest '{manifest}'", e.Message);
    }

    [Fact]
    public void A_malformed_body_is_a_serialization_error_naming_the_manifest()
    {
        var serializer = (VirtJsonSerializer)Serialization.FindSerializerForType(typeof(StartDomain));
        var e = Assert.Throws<SerializationException>(() => serializer.FromBinary(Encoding.UTF8.GetBytes("""{"domain":{"name":""}}"""), "domain.start"));
        Assert.Contains("'domain.start'", e.Message);
        Assert.Throws<SerializationException>(() => serializer.FromBinary("null"u8.ToArray(), "summary"));
    }

    [Fact]
    public void Records_outside_the_protocol_are_not_serialized_here()
    {
        var serializer = (VirtJsonSerializer)Serialization.FindSerializerForType(typeof(StartDomain));
        Assert.Throws<SerializationException>(() => serializer.Manifest(new Uri("http://example.invalid")));
        Assert.IsNotType<VirtJsonSerializer>(Serialization.FindSerializerFor("a string"));
    }
}
