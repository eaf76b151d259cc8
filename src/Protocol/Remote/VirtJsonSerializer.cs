using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;
using Virt.Protocol.Events;
using Virt.Protocol.Rpc;
using Virt.Protocol.Wire;
using static Virt.Protocol.Api.DomainCommands;
using static Virt.Protocol.Api.DomainReplies;

namespace Virt.Protocol.Remote;

/// <summary>
/// Akka.Remote serializer of the Protocol records over their JSON contracts. The manifest is a name we choose
/// (a procedure, a reply kind, "event", "remote.*"), never a CLR type, so nothing from the wire picks a type to load.
/// </summary>
public sealed class VirtJsonSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer's fixed id; both ends must agree on it.</summary>
    public const int SerializerId = 8713;

    public const string EventManifest = "event";

    private static readonly Dictionary<string, JsonTypeInfo> Envelopes = new()
    {
        ["remote.hello"] = RemoteJsonContext.Default.Hello,
        ["remote.welcome"] = RemoteJsonContext.Default.Welcome,
        ["remote.subscribe"] = RemoteJsonContext.Default.Subscribe,
        ["remote.subscribed"] = RemoteJsonContext.Default.Subscribed,
        ["remote.goodbye"] = RemoteJsonContext.Default.Goodbye,
        ["remote.closed"] = RemoteJsonContext.Default.Closed,
        ["cluster.claim"] = RemoteJsonContext.Default.ClaimName,
        ["cluster.claimed"] = RemoteJsonContext.Default.NameClaimed,
        ["cluster.release"] = RemoteJsonContext.Default.ReleaseName,
        ["cluster.sync"] = RemoteJsonContext.Default.SyncNames,
        ["cluster.synced"] = RemoteJsonContext.Default.NamesSynced,
        ["cluster.locate"] = RemoteJsonContext.Default.LocateName,
        ["cluster.located"] = RemoteJsonContext.Default.NameLocated,
        ["cluster.capacity?"] = RemoteJsonContext.Default.AskCapacity,
        ["cluster.capacity"] = RemoteJsonContext.Default.NodeCapacity,
        ["cluster.transfer"] = RemoteJsonContext.Default.TransferName,
        ["cluster.accept-moved"] = RemoteJsonContext.Default.AcceptMoved,
        ["cluster.event"] = RemoteJsonContext.Default.NodeDomainEvent,
        ["cluster.incoming?"] = RemoteJsonContext.Default.PrepareIncoming,
        ["cluster.incoming"] = RemoteJsonContext.Default.IncomingReady,
        ["cluster.incoming-finish"] = RemoteJsonContext.Default.FinishIncomingOn,
        ["cluster.incoming-abandon"] = RemoteJsonContext.Default.AbandonIncoming,
    };

    private static readonly Dictionary<Type, string> EnvelopeManifests =
        Envelopes.ToDictionary(pair => pair.Value.Type, pair => pair.Key);

    /// <summary>Every manifest this serializer writes and reads.</summary>
    public static IEnumerable<string> Manifests =>
        Procedures.Names.Concat(Procedures.ReplyKinds).Append(EventManifest)
            .Append(Procedures.RebootEventProcedure).Append(Procedures.DeviceEventProcedure).Concat(Envelopes.Keys);

    /// <summary>
    /// The HOCON that registers this serializer and binds the Protocol records to it: commands, replies (errors
    /// included), lifecycle events and the remote envelopes. Both the daemon and the client load it.
    /// </summary>
    public const string Hocon = """
        # Frames as large as a socket frame: any domain XML under the XML limit travels (Akka's default is 128 kB).
        akka.remote.dot-netty.tcp {
          maximum-frame-size = 4MiB
          send-buffer-size = 8MiB
          receive-buffer-size = 8MiB
        }
        akka.actor {
          serializers.virt-json = "Virt.Protocol.Remote.VirtJsonSerializer, Virt.Protocol"
          serialization-bindings {
            "Virt.Protocol.Api.DomainCommands+IDomainCommand, Virt.Protocol" = virt-json
            "Virt.Protocol.Api.DomainReplies+IDomainReply, Virt.Protocol" = virt-json
            "Virt.Protocol.Events.DomainLifecycleEvent, Virt.Protocol" = virt-json
            "Virt.Protocol.Events.DomainRebootEvent, Virt.Protocol" = virt-json
            "Virt.Protocol.Events.DomainDeviceEvent, Virt.Protocol" = virt-json
            "Virt.Protocol.Remote.IRemoteMessage, Virt.Protocol" = virt-json
          }
        }
        """;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        _ when Procedures.IsLocalOnly(o) => throw new SerializationException(Procedures.LocalOnlyReason(Procedures.OpenGraphicsProcedure)),
        IDomainCommand command => Procedures.NameOf(command),
        IDomainReply reply => Procedures.KindOf(reply),
        DomainLifecycleEvent => EventManifest,
        DomainRebootEvent => Procedures.RebootEventProcedure,
        DomainDeviceEvent => Procedures.DeviceEventProcedure,
        IRemoteMessage when EnvelopeManifests.TryGetValue(o.GetType(), out var name) => name,
        _ => throw new SerializationException($"{nameof(VirtJsonSerializer)} cannot serialize {o.GetType().Name}"),
    };

    public override byte[] ToBinary(object obj) => CompactJson.Serialize(obj, ContractOf(Manifest(obj)));

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var contract = ContractOf(manifest);
        try
        {
            return JsonSerializer.Deserialize(bytes, contract)
                ?? throw new SerializationException($"message '{manifest}' has an empty body");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"message '{manifest}' is malformed: {e.Message}", e);
        }
    }

    private static JsonTypeInfo ContractOf(string manifest) =>
        Procedures.TryGetCommandContract(manifest, out var command) ? command
        : Procedures.TryGetReplyContract(manifest, out var reply) ? reply
        : manifest == EventManifest ? ApiJsonContext.Default.DomainLifecycleEvent
        : manifest == Procedures.RebootEventProcedure ? ApiJsonContext.Default.DomainRebootEvent
        : manifest == Procedures.DeviceEventProcedure ? ApiJsonContext.Default.DomainDeviceEvent
        : Envelopes.TryGetValue(manifest, out var envelope) ? envelope
        : throw new SerializationException($"unknown message manifest '{manifest}'");
}
